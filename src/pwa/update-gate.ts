/**
 * Holds a downloaded app update until the kiosk is between signers. A new version must never
 * reload the page under someone who is half-way through signing.
 */
export class UpdateGate {
  private waiting = false;
  private readonly apply: () => void;

  /** `apply` activates the waiting service worker and reloads the page. */
  constructor(apply: () => void) {
    this.apply = apply;
  }

  /** The service worker reports a new version is ready. */
  updateReady(): void {
    this.waiting = true;
  }

  /** The previous signer is done and the next one has not started: apply a waiting update now. */
  betweenSigners(): boolean {
    if (!this.waiting) return false;
    this.waiting = false;
    this.apply();
    return true;
  }
}
