/**
 * Where code runs, kept by the build and not by discipline (squoosh's way). The compiler keeps
 * the globals: tsconfig.browser.json (src/) has the DOM and no Node types, tsconfig.server.json
 * (server/) has Node and no DOM, and both check src/shared, so `Buffer` in src/ or `window` in
 * server/ or src/shared fails `npm run typecheck`. This test keeps the imports, which a type-only
 * import would slip past the compiler: the browser never imports server, test or Node code, and
 * src/shared imports only itself and zod.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** Build tooling under src/ that runs in Node (vite.config.ts loads it); checked by the server's config. */
const NODE_TOOLING = new Set(['src/browser-check/vite-plugin.ts']);
const NODE_BUILTINS = new Set(builtinModules);

/** Every .ts/.tsx file under `folder` (relative to the repository, with forward slashes). */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** What a file imports: static, re-exported, side-effect and dynamic imports. */
function importsOf(text: string): string[] {
  const found = text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm);
  return [...found].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Each import of `file` that breaks `rule`, as "file → specifier". */
function violations(files: string[], rule: (file: string, specifier: string, target: string | undefined) => boolean): string[] {
  const bad: string[] = [];
  for (const file of files) {
    for (const specifier of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
      const target = specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)).split(sep).join('/') : undefined;
      if (!rule(file, specifier, target)) bad.push(`${file} → ${specifier}`);
    }
  }
  return bad;
}

const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]);

/** Browser code imports only browser and shared code, and packages that are not Node's own. */
function browserRule(file: string, specifier: string, target: string | undefined): boolean {
  if (NODE_TOOLING.has(file)) return target === undefined || target.startsWith('src/');
  return target === undefined ? !isNodeBuiltin(specifier) : target.startsWith('src/');
}

/** Shared code imports only shared code and zod: it runs in both. */
function sharedRule(_file: string, specifier: string, target: string | undefined): boolean {
  return target === undefined ? specifier === 'zod/mini' || specifier === 'zod' : target.startsWith('src/shared/');
}

/** The server imports itself and src/shared, never the kiosk's, the console's or a test's code. */
function serverRule(_file: string, _specifier: string, target: string | undefined): boolean {
  return target === undefined || target.startsWith('server/') || target.startsWith('src/shared/');
}

/** A tsconfig (line comments allowed). */
function tsconfig(name: string): { compilerOptions?: { lib?: string[]; types?: string[] }; include?: string[]; exclude?: string[] } {
  return JSON.parse(readFileSync(join(ROOT, name), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
}

describe('runtime boundaries', () => {
  it('the browser imports no server, test or Node code', () => {
    expect(violations(sources('src'), browserRule)).toEqual([]);
  });

  it('src/shared imports only itself and zod', () => {
    expect(violations(sources('src/shared'), sharedRule)).toEqual([]);
  });

  it('the server imports only itself and src/shared', () => {
    expect(violations(sources('server'), serverRule)).toEqual([]);
  });

  it('each runtime has its own config: the DOM without Node for src/, Node without the DOM for server/, src/shared in both', () => {
    const browser = tsconfig('tsconfig.browser.json');
    const server = tsconfig('tsconfig.server.json');
    expect(browser.compilerOptions?.lib).toContain('DOM');
    expect(browser.compilerOptions?.types).not.toContain('node');
    expect(browser.include).toContain('src');
    expect(server.compilerOptions?.lib?.some((lib) => /^dom/i.test(lib))).toBe(false);
    expect(server.compilerOptions?.types).toEqual(['node']);
    expect(server.include).toEqual(expect.arrayContaining(['server', 'src/shared']));
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.typecheck).toContain('tsconfig.browser.json');
    expect(scripts.typecheck).toContain('tsconfig.server.json');
    expect(scripts.test).toContain('npm run typecheck');
  });

  it('the rules catch what they are for', () => {
    expect(browserRule('src/coordinator/api.ts', '../../server/store/store.ts', 'server/store/store.ts')).toBe(false);
    expect(browserRule('src/db/pin.ts', 'node:crypto', undefined)).toBe(false);
    expect(sharedRule('src/shared/seal.ts', '../db/db.ts', 'src/db/db.ts')).toBe(false);
    expect(sharedRule('src/shared/seal.ts', 'dexie', undefined)).toBe(false);
    expect(serverRule('server/app.ts', '../src/kiosk/App.tsx', 'src/kiosk/App.tsx')).toBe(false);
    expect(importsOf(`import type { A } from '../../server/a.ts';\nexport { B } from './b.ts';\nimport './c.css';\nconst d = await import('./d.ts');`)).toEqual([
      '../../server/a.ts',
      './b.ts',
      './c.css',
      './d.ts',
    ]);
  });
});
