/**
 * The store the export-memory benchmark (export-memory.ts) measures: N realistic signatures
 * in a temporary SQLite file, made from a few hundred templates (ink is the slow part) with
 * fresh ids and names in many scripts, a typed signature now and then, a quarter opted in,
 * arrivals spread over a few weeks of rallies. The owner who downloads them is added by
 * each measuring process (export-memory.ts), with two-factor sign-in of its own.
 */
import { randomUUID } from 'node:crypto';
import { SqliteStore } from '../server/store/sqlite.ts';
import type { SignatureRecord } from '../src/shared/protocol.ts';
import { makeRecord, prng } from '../tests/helpers/records.ts';

const BATCH = 500;
const TEMPLATES = 300;

const FIRST = ['Amina', 'Jonas', 'María José', 'Wei', 'Olusegun', 'Zoë', 'Priya', 'Mateus', 'Fatima', 'Sven', 'Ngozi', 'Élodie', 'Жанна', 'أمينة', 'Κώστας'];
const LAST = ['Okafor', 'Müller', 'García Pérez', 'Chen', 'Adeyemi', 'Brontë', 'Sharma', 'Silva', 'El Amrani', 'Lindqvist', 'Eze', 'Dubois', 'Иванова', 'حداد', 'Παπαδόπουλος'];
const COUNTRIES = ['FR', 'DE', 'NG', 'BR', 'IN', 'KE', 'EG', 'GB', 'MX', 'SE', 'GR', 'UA'];

/** A few hundred realistic records (ink is the slow part), reused with fresh ids and names. */
function templates(): SignatureRecord[] {
  return Array.from({ length: TEMPLATES }, (_, i) => {
    const record = makeRecord({ seed: i + 1 });
    if (i % 50 === 7 && record.payload.kind === 'plain') {
      // A typed signature now and then.
      const { ink: _ink, ...rest } = record.payload;
      record.payload = { ...rest, typed: { name: 'Typed Signer', attestation: 'I, Typed Signer, confirm that I support this petition.' } };
    }
    return record;
  });
}

/** The `i`th signature, from `template` with a new id, name, email, country and opt-in. */
function variant(template: SignatureRecord, i: number, rand: () => number): SignatureRecord {
  if (template.payload.kind !== 'plain') return { ...template, id: randomUUID() };
  const name = `${FIRST[Math.floor(rand() * FIRST.length)]} ${LAST[Math.floor(rand() * LAST.length)]} ${i}`;
  const signer = {
    ...template.payload.signer,
    name,
    email: `signer${i}@example.org`,
    country: COUNTRIES[i % COUNTRIES.length],
    optIn: i % 4 === 0,
    ...(i % 10 === 0 && { phone: `+33 6 ${String(10_000_000 + i).slice(-8)}` }),
  };
  const typed = template.payload.typed && { ...template.payload.typed, name };
  return { ...template, id: randomUUID(), lang: i % 3 ? 'en' : 'fr', payload: { ...template.payload, signer, ...(typed && { typed }) } };
}

/** Fill the store at `dbPath` with `n` signatures; how many opted in, and how long it took. */
export async function fill(dbPath: string, n: number): Promise<{ optedIn: number; seconds: number }> {
  const started = performance.now();
  const store = new SqliteStore(dbPath);
  const pool = templates();
  const rand = prng(42);
  let optedIn = 0;
  const day0 = Date.UTC(2026, 10, 1, 9);
  for (let start = 0; start < n; start += BATCH) {
    const items = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const record = variant(pool[i % pool.length], i, rand);
      if (record.payload.kind === 'plain' && record.payload.signer.optIn) optedIn++;
      items.push({ record, hash: record.id, clockSuspect: false });
    }
    // Spread arrivals over a few weeks of rallies.
    const receivedAt = new Date(day0 + Math.floor((start / n) * 21) * 86_400_000 + start * 1000).toISOString();
    await store.ingest(items, receivedAt, 'sync');
  }
  await store.close();
  return { optedIn, seconds: (performance.now() - started) / 1000 };
}
