/**
 * A cap on long-lived streams, in total and per client address. The public counter's stream
 * needs no sign-in, so without a cap anyone could hold open sockets (and their memory and
 * heartbeats) until the server runs out of file descriptors.
 */

export interface StreamLimit {
  /** Open streams in all. */
  total: number;
  /** Open streams from one client address. */
  perAddress: number;
}

/** A taken slot, or why none was given. */
export type SlotOutcome = { ok: true; release: () => void } | { ok: false; reason: 'total' | 'address' };

export class StreamSlots {
  private open = 0;
  private readonly byAddress = new Map<string, number>();
  readonly limit: StreamLimit;

  constructor(limit: StreamLimit) {
    this.limit = limit;
  }

  /** How many slots are taken. */
  get taken(): number {
    return this.open;
  }

  /** Take a slot for `address`; `release` (idempotent) gives it back. */
  take(address: string): SlotOutcome {
    const mine = this.byAddress.get(address) ?? 0;
    // The per-address cap is checked first: one greedy client is told it is the problem (429),
    // not that the server is full (503).
    if (mine >= this.limit.perAddress) return { ok: false, reason: 'address' };
    if (this.open >= this.limit.total) return { ok: false, reason: 'total' };
    this.open++;
    this.byAddress.set(address, mine + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.open--;
        const left = (this.byAddress.get(address) ?? 1) - 1;
        if (left > 0) this.byAddress.set(address, left);
        else this.byAddress.delete(address);
      },
    };
  }
}
