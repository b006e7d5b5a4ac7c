/**
 * The signer's screens know nothing of the wire format: what a signer entered goes to
 * capture() (src/db/capture.ts), which builds, seals and stores the record. A screen that
 * imported the protocol or the sealing code could start building records again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const KIOSK = resolve(import.meta.dirname, '../../src/kiosk');

/** Every module of the kiosk's screens, with its path below src/kiosk. */
function kioskModules(): Array<[string, string]> {
  return readdirSync(KIOSK, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => [file, readFileSync(join(KIOSK, file), 'utf8')]);
}

describe('the kiosk screens and the wire format', () => {
  it('no screen imports the protocol, the sealing, chain or transfer modules, nor the outbox (statically or on demand)', () => {
    const offenders = kioskModules().flatMap(([file, source]) =>
      [...source.matchAll(/['"]((?:\.\.\/)+(?:shared\/(?:protocol|seal|chain|transfer)|db\/(?:outbox|capture))\.ts)['"]/g)].map((m) => `${file}: ${m[1]}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no screen makes a record id or a capture time', () => {
    const offenders = kioskModules().flatMap(([file, source]) => (/randomUUID|capturedAt|toISOString/.test(source) ? [file] : []));
    expect(offenders).toEqual([]);
  });
});
