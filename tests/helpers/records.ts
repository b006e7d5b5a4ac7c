/** Test data: realistic signatures and valid records, deterministic per seed. */
import { encodeInk, type Ink } from '../../src/shared/ink.ts';
import { PROTOCOL_VERSION, type SignatureRecord } from '../../src/shared/protocol.ts';

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A handwritten-looking signature on a 600×200 canvas: 2–4 strokes of loops drawn left to
 * right, sampled every ~16 ms like a pointer device, ~250–450 points in all.
 */
export function realisticInk(seed = 1, { pressure = false } = {}): Ink {
  const rand = prng(seed);
  const strokes: Ink['strokes'] = [];
  let t = 1_700_000_000_000;
  let x = 40 + rand() * 20;
  const count = 2 + Math.floor(rand() * 3);
  for (let s = 0; s < count; s++) {
    const points: Ink['strokes'][number] = [];
    const n = 80 + Math.floor(rand() * 70);
    const baseY = 100 + (rand() - 0.5) * 30;
    const freq = 0.15 + rand() * 0.2;
    const amp = 25 + rand() * 30;
    for (let i = 0; i < n; i++) {
      x += 1.2 + rand() * 2.5;
      const y = baseY + Math.sin(i * freq) * amp + (rand() - 0.5) * 3;
      t += 14 + Math.floor(rand() * 6);
      points.push({ x, y, t, p: pressure ? 0.3 + 0.4 * Math.abs(Math.sin(i / 9)) : 0.5 });
    }
    strokes.push(points);
    x += 10 + rand() * 20;
    t += 150 + Math.floor(rand() * 200);
  }
  return { width: 600, height: 200, strokes };
}

let counter = 0;

/** A valid plain record; every call gets a fresh UUID unless `id` is given. */
export function makeRecord(overrides: Partial<SignatureRecord> & { name?: string; email?: string; seed?: number } = {}): SignatureRecord {
  const { name, email, seed, ...rest } = overrides;
  counter++;
  return {
    id: crypto.randomUUID(),
    v: 1,
    deviceId: 'device-test',
    campaignId: 'protect-defenders',
    campaignVersion: 1,
    capturedAt: new Date(Date.UTC(2026, 10, 24, 12, 0, counter % 60)).toISOString(),
    payload: {
      kind: 'plain',
      signer: { name: name ?? `Signer ${counter}`, email: email ?? `signer${counter}@example.org`, country: 'FR', optIn: false },
      ink: encodeInk(realisticInk(seed ?? counter)),
    },
    ...rest,
  };
}

/** A batch body for the API. */
export function batchOf(records: unknown[], deviceId = 'device-test', protocol = PROTOCOL_VERSION) {
  return { protocol, deviceId, records };
}

/** `record` with some of its signer's fields replaced (an undefined value drops the field). */
export function withSigner(record: SignatureRecord, signer: Partial<Extract<SignatureRecord['payload'], { kind: 'plain' }>['signer']>): SignatureRecord {
  if (record.payload.kind !== 'plain') throw new Error('plain records only');
  const merged = { ...record.payload.signer, ...signer };
  for (const key of Object.keys(merged) as Array<keyof typeof merged>) if (merged[key] === undefined) delete merged[key];
  return { ...record, payload: { ...record.payload, signer: merged } };
}
