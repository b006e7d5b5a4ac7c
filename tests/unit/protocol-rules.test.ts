/** Every rule of docs/PROTOCOL.md is cited by the name of at least one test. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

describe('docs/PROTOCOL.md', () => {
  const spec = readFileSync(join(ROOT, 'docs/PROTOCOL.md'), 'utf8');
  const rules = [...spec.matchAll(/\*\*(S\d+) — /g)].map((m) => m[1]);
  const cited = new Set<string>();
  for (const file of testFiles(join(ROOT, 'tests'))) {
    const text = readFileSync(file, 'utf8');
    // Test names start with the rules they prove: it('S4, S6: …').
    for (const name of text.matchAll(/\(\s*['"`]((?:S\d+, )*S\d+):/g)) {
      for (const id of name[1].split(', ')) cited.add(id);
    }
  }

  it('numbers its rules without gaps or repeats', () => {
    expect(rules.length).toBeGreaterThanOrEqual(21);
    expect(new Set(rules).size).toBe(rules.length);
    expect([...rules].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(rules.map((_, i) => `S${i + 1}`).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
  });

  it('has a test citing every rule', () => {
    expect(rules.filter((r) => !cited.has(r))).toEqual([]);
  });
});
