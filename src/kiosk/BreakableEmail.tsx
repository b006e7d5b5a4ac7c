/**
 * An email address that wraps only where it can still be read: before the "@" and before
 * each dot ("fatima.zahra / @example-org / .org"), never mid-word ("fatima@exam / ple.org")
 * nor after a hyphen that is part of the address. Each part is an inline block, so lines
 * break between parts; a part wider than the whole line still wraps inside itself.
 */
export function BreakableEmail({ address }: { address: string }) {
  return (
    <span class="email">
      {address.split(/(?=[@.])/).map((part, i) => (
        <span key={i} class="email-part">{part}</span>
      ))}
    </span>
  );
}
