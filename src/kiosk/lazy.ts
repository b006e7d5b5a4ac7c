/**
 * Screens the signer never needs (enrollment, the volunteer PIN and screen) are loaded on
 * demand, so they cost nothing on the kiosk's first load. The service worker precaches
 * their chunks with everything else, so they open offline too; `prefetch` warms them once
 * the sign form is up, so opening one is instant.
 */
import { h, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** A component, plus `prefetch()` to start loading it now (idempotent). */
export type LazyComponent<P> = ComponentType<P> & { prefetch(): Promise<unknown> };

/** A component rendered once `load` resolves; nothing (an empty, busy region) until then. */
export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): LazyComponent<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<unknown> | undefined;
  const prefetch = () =>
    (loading ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        loading = undefined; // a failed load (e.g. an update swapped the chunks) is tried again
        throw error;
      },
    ));
  function Lazy(props: P) {
    const [, setReady] = useState(false);
    const [failed, setFailed] = useState<string>();
    useEffect(() => {
      if (loaded) return;
      let live = true;
      prefetch().then(
        () => live && setReady(true),
        (error: Error) => live && setFailed(error?.message ?? String(error)),
      );
      return () => {
        live = false;
      };
    }, []);
    if (loaded) return h(loaded, props);
    return h('div', { 'aria-busy': 'true', role: failed ? 'alert' : undefined }, failed ?? null);
  }
  return Object.assign(Lazy, { prefetch });
}
