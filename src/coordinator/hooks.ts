/** Small hooks shared by the console's sections. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Inputs } from 'preact/hooks';
import * as z from 'zod/mini';

/** The current time, refreshed every `everyMs`, for "3 minutes ago" labels. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Follow a server-sent-events stream whose every message is a full JSON snapshot, parsed with
 * `schema` (the contract's, src/shared/api/): one that does not fit is ignored like junk.
 * `onClosed` is told when the browser gives up (e.g. the server answered 401, or refused the
 * stream with 429/503 because too many are open); it opens the stream again after
 * `retryMs()` (default 5 s). An empty `url` opens nothing (yet).
 */
export function useEventStream<T>(
  url: string,
  schema: z.ZodMiniType<T>,
  onSnapshot: (snapshot: T) => void,
  onClosed?: () => void,
  retryMs: () => number = () => 5_000,
): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ schema, onSnapshot, onClosed, retryMs });
  handlers.current = { schema, onSnapshot, onClosed, retryMs };
  useEffect(() => {
    if (!url) return;
    setState('connecting');
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(url);
      source.onopen = () => setState('live');
      source.onmessage = (event) => {
        setState('live');
        let snapshot: unknown;
        try {
          snapshot = JSON.parse(event.data);
        } catch {
          return; // a malformed message is ignored; the next one is a full snapshot again
        }
        const parsed = z.safeParse(handlers.current.schema, snapshot);
        if (parsed.success) handlers.current.onSnapshot(parsed.data);
      };
      source.onerror = () => {
        setState('reconnecting');
        if (source?.readyState === EventSource.CLOSED) {
          // The browser will not retry on its own (an HTTP error): ask whether we are still
          // signed in, and try again a little later.
          handlers.current.onClosed?.();
          source.close();
          if (!stopped) retry = setTimeout(open, handlers.current.retryMs());
        }
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [url]);
  return state;
}

/**
 * Load data for a section whenever `deps` change or `reload()` is called. A load that
 * resolves to undefined leaves the previous data in place (e.g. it changed a dependency
 * instead). Failures are shown in the section (`error`) and reported to `onError`.
 */
export function useLoad<T>(
  load: () => Promise<T | undefined>,
  deps: Inputs,
  onError: (error: unknown) => void,
): { data: T | undefined; error: string; reload: () => void } {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState('');
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (result) => {
        if (!current || result === undefined) return;
        setData(result);
        setError('');
      },
      (failure: unknown) => {
        if (!current) return;
        setError((failure as Error).message);
        onError(failure);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  return { data, error, reload: () => setGeneration((n) => n + 1) };
}
