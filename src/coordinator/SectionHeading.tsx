/** A section's h1, focused when the section opens so keyboard and screen-reader users land on it. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function SectionHeading({ title, children }: { title: string; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement | null>(null);
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement?.closest('nav')) heading.current?.focus();
  }, []);
  return (
    <div class="section-head">
      <h1 tabIndex={-1} ref={heading}>{title}</h1>
      {children}
    </div>
  );
}
