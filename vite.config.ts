/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';
import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { browserCheck } from './src/browser-check/vite-plugin.ts';
import { BUILD_TARGET } from './src/browser-check/supported-browsers.ts';
import { precompress } from './scripts/precompress.ts';

/** The console's and the counter's own code, and the copies of Preact they use. */
const COORDINATOR = '?coordinator';
const NO_POLYFILL = '\0fieldsign:no-modulepreload-polyfill';
const isCoordinatorModule = (id: string) =>
  id.endsWith(COORDINATOR) || id === NO_POLYFILL || /[\\/]src[\\/]coordinator[\\/]|[\\/](console|counter)\.html$/.test(id);

/**
 * The console and the counter get their own copy of everything they import (Preact, and
 * the shared schemas, sealing and CSV code: module ids tagged `?coordinator`), so the
 * bundler makes no chunk shared with the kiosk: the kiosk's first-load JS stays byte for
 * byte what it would be without the extra pages.
 */
function separateCoordinatorPreact(): Plugin {
  return {
    name: 'fieldsign:separate-coordinator-preact',
    apply: 'build',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !isCoordinatorModule(importer)) return null;
      // Nor the module-preload polyfill (which would otherwise become a shared chunk): the
      // console and counter are for current browsers, and preloading is only a speed-up.
      if (source === 'vite/modulepreload-polyfill') return NO_POLYFILL;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved || resolved.external || resolved.id.startsWith('\0') || isCoordinatorModule(resolved.id)) return resolved;
      return { ...resolved, id: resolved.id + COORDINATOR };
    },
    load(id) {
      return id === NO_POLYFILL ? '' : null;
    },
  };
}

/**
 * The app version the volunteer screen shows and each tablet reports: the package version
 * plus the commit it was built from, or the build time outside a git checkout.
 */
function appVersion(): string {
  const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: import.meta.dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (/^[0-9a-f]{4,40}$/.test(commit)) return `${version}+${commit}`;
  } catch {
    // Not a git checkout (e.g. a release tarball): the build time tells builds apart.
  }
  return `${version}+${new Date().toISOString().replace(/[-:]/g, '').slice(0, 13)}`;
}

export default defineConfig({
  // See src/pwa/app-version.ts.
  define: { __APP_VERSION__: JSON.stringify(appVersion()) },
  plugins: [
    separateCoordinatorPreact(),
    preact(),
    browserCheck(),
    VitePWA({
      // Updates wait for a moment between signers; see src/pwa/register.ts.
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icons/icon.svg'],
      manifest: {
        name: 'Fieldsign — petition signatures',
        short_name: 'Fieldsign',
        description: 'Collect petition signatures in person, with or without a network.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#fbfaf7',
        theme_color: '#1a1a2e',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The whole app shell is precached; the manifest is added by the plugin itself.
        globPatterns: ['**/*.{js,css,html,svg,png,ico}'],
        // The coordinator console and the public counter are online-only pages of their own:
        // the kiosk neither precaches them nor answers their addresses with its shell.
        // Nor the br and gzip copies of the files (scripts/precompress.ts): the browser asks
        // for the file, and the server picks the copy.
        globIgnores: ['console.html', 'counter.html', 'assets/console-*', 'assets/counter-*', '**/*.br', '**/*.gz'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/console/, /^\/counter/],
        cleanupOutdatedCaches: true,
      },
    }),
    precompress(),
  ],
  build: {
    // The supported browsers (src/browser-check/supported-browsers.ts); tests/build checks the output.
    target: BUILD_TARGET,
    sourcemap: false,
    // Three pages: the kiosk (index.html), the coordinator console and the public counter.
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        console: resolve(import.meta.dirname, 'console.html'),
        counter: resolve(import.meta.dirname, 'counter.html'),
      },
      output: {
        // Chunks only the console and counter use are named console-* (kept out of the precache).
        chunkFileNames: (chunk) =>
          chunk.moduleIds.length > 0 && chunk.moduleIds.every(isCoordinatorModule) ? 'assets/console-[name]-[hash].js' : 'assets/[name]-[hash].js',
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
