/**
 * What the kiosk's modal confirmations share: shown as a modal <dialog> when mounted, focus on
 * the safe choice, and when unmounted the modal closed (the page usable again) and focus
 * handed back to whatever opened it.
 */
import { useLayoutEffect } from 'preact/hooks';

type ElementRef<T> = { readonly current: T | null };

export function useModalDialog(dialog: ElementRef<HTMLDialogElement>, initialFocus: ElementRef<HTMLElement>): void {
  // A layout effect: its cleanup runs before the dialog leaves the DOM, so it can still close it.
  useLayoutEffect(() => {
    const el = dialog.current;
    if (!el) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!el.open) el.showModal();
    initialFocus.current?.focus();
    return () => {
      if (el.open) el.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
}
