/**
 * Changes across server instances on one PostgreSQL database: after each write that changes
 * what the dashboards show, the store calls `notify(client)`, i.e. `pg_notify('fieldsign_changes',
 * <schema>)`, which PostgreSQL delivers to every listener.
 * One dedicated connection per instance LISTENs and tells the store's change listeners when a
 * notification for its own schema arrives from another instance (the instance's own changes
 * are told locally, at once, by the store; their echo is recognised by the sending
 * connection's backend pid and skipped, so one change is one refresh).
 *
 *   (first listener) ─▶ connecting ──ok──▶ listening ──error/end──▶ waiting ─(backoff)─▶ connecting
 *                           └──fail──▶ waiting                        250 ms, 500 ms … 30 s
 *
 * Notifications sent while the connection was down are lost, so on reconnecting the
 * listeners are told once that something may have changed.
 */
import pg from 'pg';
import type { PoolClient } from 'pg';

/** The channel every instance notifies and listens on; the payload is the schema name. */
export const CHANGES_CHANNEL = 'fieldsign_changes';
/** The LISTEN connection's application_name, to tell it (and its schema) apart in pg_stat_activity. */
export function listenerName(schema: string): string {
  return `fieldsign-listen ${schema}`.slice(0, 63); // PostgreSQL keeps 63 bytes of it
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

export class ChangeNotifier {
  private readonly url: string;
  private readonly schema: string;
  private readonly log: (message: string) => void;
  /** Backend pids of this instance's pool connections that have notified: their echo is ours. */
  private readonly ownPids = new Set<number>();
  private onChange: (() => void) | undefined;
  private client: pg.Client | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private closed = false;

  constructor(options: { url: string; schema: string; pool: pg.Pool; log?: (message: string) => void }) {
    this.url = options.url;
    this.schema = options.schema;
    this.log = options.log ?? ((message) => console.error(message));
    // A closed pool connection's pid may later belong to another instance's backend.
    options.pool.on('remove', (client) => {
      const pid = processIdOf(client);
      if (pid !== undefined) this.ownPids.delete(pid);
    });
  }

  /** Every instance hears of the change (inside a transaction: once it commits). */
  async notify(client: PoolClient): Promise<void> {
    const pid = processIdOf(client);
    if (pid !== undefined) this.ownPids.add(pid);
    await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, this.schema]);
  }

  /** Start listening (once; later calls only replace the callback). */
  listen(onChange: () => void): void {
    const started = this.onChange !== undefined;
    this.onChange = onChange;
    if (!started && !this.closed) void this.connect();
  }

  /** Stop listening for good. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  /** Open the LISTEN connection; on failure, try again later. Never rejects. */
  private async connect(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, application_name: listenerName(this.schema) });
    let lost = false;
    const onLost = (error: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      if (!this.closed) this.retry(error);
    };
    // Without an 'error' handler a dropped connection would crash the process.
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the connection was closed')));
    client.on('notification', (n) => {
      if (n.channel === CHANGES_CHANNEL && n.payload === this.schema && !this.ownPids.has(n.processId)) this.tell();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      return onLost(error as Error);
    }
    if (lost) return;
    if (this.closed) return void client.end().catch(() => {});
    this.client = client;
    if (this.failures > 0) {
      this.log(`PostgreSQL change feed: listening again after ${this.failures} failed attempt(s)`);
      this.tell(); // what changed meanwhile was not heard
    }
    this.failures = 0;
  }

  private retry(error: Error): void {
    const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures);
    this.failures++;
    this.log(`PostgreSQL change feed (LISTEN ${CHANGES_CHANNEL}) lost: ${error.message}; reconnecting in ${wait} ms`);
    this.timer = setTimeout(() => void this.connect(), wait);
  }

  private tell(): void {
    try {
      this.onChange?.();
    } catch (error) {
      this.log(`PostgreSQL change feed: a listener failed: ${(error as Error).message}`);
    }
  }
}

/** The backend pid of a connection (pg sets it at connect; not in its type definitions). */
function processIdOf(client: unknown): number | undefined {
  const pid = (client as { processID?: unknown }).processID;
  return typeof pid === 'number' ? pid : undefined;
}
