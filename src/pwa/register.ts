/**
 * The single bridge between the page and the service worker. A new version of the app is
 * downloaded in the background but only activated between signers (see update-gate.ts).
 */
import { registerSW } from 'virtual:pwa-register';
import { UpdateGate } from './update-gate.ts';

let gate: UpdateGate | undefined;

/** Register the service worker that precaches the app shell for offline use. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const updateSW = registerSW({
    immediate: true,
    onNeedRefresh: () => gate?.updateReady(),
    onRegisterError(error: unknown) {
      console.warn('Service worker registration failed; the app will not work offline.', error);
    },
  });
  gate = new UpdateGate(() => void updateSW(true));
}

/** Apply a downloaded update now, if one waits. Call only when no signer is mid-form. */
export function applyUpdateBetweenSigners(): void {
  gate?.betweenSigners();
}
