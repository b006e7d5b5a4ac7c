/** Small hooks shared by the console's sections. */
import { useEffect, useRef, useState } from 'preact/hooks';

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
 * Follow a server-sent-events stream whose every message is a full JSON snapshot.
 * `onClosed` is told when the browser gives up (e.g. the server answered 401).
 */
export function useEventStream<T>(url: string, onSnapshot: (snapshot: T) => void, onClosed?: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ onSnapshot, onClosed });
  handlers.current = { onSnapshot, onClosed };
  useEffect(() => {
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(url);
      source.onopen = () => setState('live');
      source.onmessage = (event) => {
        setState('live');
        try {
          handlers.current.onSnapshot(JSON.parse(event.data) as T);
        } catch {
          /* ignore a malformed message; the next one is a full snapshot again */
        }
      };
      source.onerror = () => {
        setState('reconnecting');
        if (source?.readyState === EventSource.CLOSED) {
          // The browser will not retry on its own (an HTTP error): ask whether we are still
          // signed in, and try again a little later.
          handlers.current.onClosed?.();
          source.close();
          if (!stopped) retry = setTimeout(open, 5_000);
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
