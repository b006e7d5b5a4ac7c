/**
 * The hostile-input corpus's building blocks: bare JSON literals that JSON.stringify cannot
 * write, deep nesting, hand-made ink bytes, and the wrong values tried on every field of a
 * record. The cases themselves are in tests/server/hostile-*.test.ts.
 */
import { toBase64Url } from '../../src/shared/ink.ts';

/** Written into the static root's parent: no route may ever serve it. */
export const SECRET = 'TOP-SECRET-MARKER-7f3a';
export const MB = 1024 * 1024;
/** A value of this form is written as a bare JSON literal, e.g. `@@RAW:1e400@@` → 1e400. */
export const raw = (literal: string) => `@@RAW:${literal}@@`;
/** As a value for `setPath`: delete the field. */
export const DELETE = Symbol('delete');

/** JSON text, with `raw(...)` placeholders turned into bare literals. */
export function rawJson(value: unknown): string {
  return JSON.stringify(value).replace(/"@@RAW:([^"@]*)@@"/g, '$1');
}

/** Set (or delete) a dotted path in a JSON-ish object, in place. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === DELETE) delete node[last];
  else node[last] = value;
}

export const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
export const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** LEB128 varint bytes. */
export function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
export const zigzag = (n: number) => varint(n >= 0 ? n * 2 : -n * 2 - 1);
export const ink = (bytes: number[]) => toBase64Url(Uint8Array.from(bytes));
export const points = (n: number) => Array.from({ length: n }, () => [0, 0, 0]).flat();

/** Field paths of a valid plain record, and wrong values for each. */
export const FIELD_PATHS = [
  'id',
  'v',
  'deviceId',
  'campaignId',
  'campaignVersion',
  'capturedAt',
  'payload',
  'payload.kind',
  'payload.signer',
  'payload.signer.name',
  'payload.signer.email',
  'payload.signer.country',
  'payload.signer.optIn',
  'payload.ink',
  'payload.ink.format',
  'payload.ink.width',
  'payload.ink.height',
  'payload.ink.data',
] as const;

export const MUTATIONS: Array<[string, unknown]> = [
  ['missing', DELETE],
  ['null', null],
  ['a number', 42],
  ['a negative number', -1],
  ['a fraction', 1.5],
  ['true', true],
  ['an array', []],
  ['an object', {}],
  ['an empty string', ''],
  ['a 100k-character string', 'x'.repeat(100_000)],
  ['a string with NUL bytes', 'a\u0000b'],
  ['"NaN"', 'NaN'],
  ['a huge number', 1e308],
  ['Infinity (1e400)', raw('1e400')],
];

/** Mutations that are, correctly, valid values for that field. */
export const STILL_VALID = new Set([
  'campaignVersion=a number',
  'payload.ink.width=a number',
  'payload.ink.height=a number',
  'payload.signer.optIn=true',
  'payload.signer.name="NaN"',
  'campaignId="NaN"',
  // Which signer fields a campaign asks for is its choice; the kiosk enforces "required".
  'payload.signer.email=missing',
  'payload.signer.country=missing',
]);

/** Every field path with every wrong value for it. */
export const MUTATION_CASES = FIELD_PATHS.flatMap((path) =>
  MUTATIONS.filter(([label]) => !STILL_VALID.has(`${path}=${label}`)).map(([label, value]) => [path, label, value] as const),
);

