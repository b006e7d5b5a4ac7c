/**
 * The quick lock's state: one "locked" flag that survives a reload, and the neutral look
 * the page takes while locked. The flag lives in localStorage (not IndexedDB) because it
 * can be read synchronously, before the database opens, so a reloaded locked tablet never
 * shows the petition even for a moment. Nothing else is ever stored with it.
 */

const LOCK_KEY = 'fieldsign-locked';

/** The theme colour of the locked page: a plain grey, nobody's brand. */
export const NEUTRAL_COLOR = '#3c3c3c';

/** True when the tablet was locked (and not unlocked since), even across reloads. */
export function isLocked(store: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): boolean {
  try {
    return store?.getItem(LOCK_KEY) === '1';
  } catch {
    return false;
  }
}

/** Remember the lock (or its end). Storage refused: the lock still holds until reload. */
export function saveLocked(locked: boolean, store: Pick<Storage, 'setItem' | 'removeItem'> | undefined = globalThis.localStorage): void {
  try {
    if (locked) store?.setItem(LOCK_KEY, '1');
    else store?.removeItem(LOCK_KEY);
  } catch {
    // Private mode or full: the in-memory lock is what matters now.
  }
}

/** Give the page a neutral title and theme colour, as nothing about the app may show. */
export function neutralDocument(title: string): void {
  document.title = title;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', NEUTRAL_COLOR);
}
