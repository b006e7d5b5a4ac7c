/** The page of one card under the Fieldsign mark, before the console opens: signing in, setting up two-factor sign-in. */
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import { useFocusOnArrival } from '../kiosk/focus.ts';

interface Props {
  /** The card's h1, focused on arrival so that keyboard and screen-reader users land on it. */
  title: string;
  /** The card's own class (its width): `login-card`, `setup-card`. */
  class: string;
  children: ComponentChildren;
}

export function BrandedCard({ title, class: cardClass, children }: Props) {
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading);
  return (
    <main class="login-page" id="main">
      <section class={`card ${cardClass}`} aria-labelledby="card-heading">
        <p class="login-brand">
          <span class="brand-mark" aria-hidden="true">F</span> Fieldsign
        </p>
        <h1 id="card-heading" tabIndex={-1} ref={heading}>{title}</h1>
        {children}
      </section>
    </main>
  );
}
