/**
 * Focus for a view that has just arrived: a step of the sign flow, a screen, a prompt.
 *
 * It is moved in a layout effect, in the same task as the render that showed the view. A
 * plain effect runs only after the next paint, late enough for a quick keyboard user's next
 * Tab to land first; the late focus() then pulled them back to the heading, so Tab seemed to
 * loop ("Change something → heading → Change something") and never reached the next button.
 */
import { useLayoutEffect } from 'preact/hooks';

type ElementRef = { readonly current: HTMLElement | null };

/** Focus `target` when the component mounts and whenever `deps` change. */
export function useFocusOnArrival(target: ElementRef, deps: readonly unknown[] = [], options?: FocusOptions): void {
  useLayoutEffect(() => target.current?.focus(options), deps);
}
