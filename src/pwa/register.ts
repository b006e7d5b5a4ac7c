/**
 * The single bridge between the page and the service worker. A new version of the app is
 * downloaded in the background but only activated between signers, never mid-signature.
 */
import { registerSW } from 'virtual:pwa-register';

let updateWaiting = false;
let applyUpdate: ((reload?: boolean) => Promise<void>) | undefined;

/** Register the service worker that precaches the app shell for offline use. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  applyUpdate = registerSW({
    immediate: true,
    onNeedRefresh() {
      updateWaiting = true;
    },
    onRegisterError(error: unknown) {
      console.warn('Service worker registration failed; the app will not work offline.', error);
    },
  });
}

/** Apply a downloaded update now, if one waits. Call only when no signer is mid-form. */
export function applyUpdateBetweenSigners(): void {
  if (updateWaiting && applyUpdate) void applyUpdate(true);
}
