/**
 * Persistent storage: asking the browser not to clear this origin's storage, the signatures
 * with it, when the tablet runs low on space. Firefox answers the request with a permission
 * prompt over the page, so the kiosk asks only when a volunteer acts (enrolling, or the
 * button on the volunteer screen), never at startup in front of a signer.
 */

/** What the browser says of this tablet's storage; 'unknown' where it has no StorageManager (e.g. WebKitGTK). */
export type Persistence = 'persistent' | 'not-persistent' | 'unknown';

const manager = (): StorageManager | undefined => (globalThis.navigator as Navigator | undefined)?.storage;

/** Whether this browser can be asked at all. */
export function canAskPersistence(): boolean {
  return typeof manager()?.persist === 'function';
}

/** Whether the browser has made storage persistent. Never prompts. */
export async function storagePersistence(): Promise<Persistence> {
  const storage = manager();
  if (typeof storage?.persisted !== 'function') return 'unknown';
  const granted = await storage.persisted().catch(() => undefined);
  return granted === undefined ? 'unknown' : granted ? 'persistent' : 'not-persistent';
}

/**
 * Ask for persistent storage unless it already is, and resolve with the answer. May show a
 * prompt (Firefox) that stays open until answered: call it from a volunteer's action only.
 */
export async function requestPersistence(): Promise<Persistence> {
  const current = await storagePersistence();
  if (current !== 'not-persistent' || !canAskPersistence()) return current;
  const granted = await manager()!.persist().catch(() => false);
  return granted ? 'persistent' : 'not-persistent';
}
