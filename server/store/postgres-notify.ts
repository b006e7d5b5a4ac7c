/**
 * Live updates across instances: every instance announces its changes with NOTIFY on one
 * channel (payload: schema and instance id) and keeps one dedicated connection LISTENing, so a
 * dashboard on instance A hears of a batch that reached instance B within moments. The
 * connection is opened when the first listener subscribes and reopened (with backoff, logged)
 * when it drops; a change announced while it was down is missed, so after a reconnect the
 * listeners are called once, to refresh.
 */
import pg from 'pg';

export class ChangeChannel {
  static readonly name = 'fieldsign_changes';
  /** What this instance sends: other instances on the same schema react, this one ignores it. */
  readonly payload: string;
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private backoffMs = 250;
  private closed = false;

  private readonly url: string;
  private readonly schema: string;
  private readonly instance: string;

  constructor(url: string, schema: string, instance: string) {
    this.url = url;
    this.schema = schema;
    this.instance = instance;
    this.payload = JSON.stringify({ schema, instance });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.retry) void this.connect(false);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(reconnecting: boolean): Promise<void> {
    this.retry = undefined;
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (message) => {
      if (message.channel === ChangeChannel.name && message.payload && this.isOthers(message.payload)) this.emit();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ChangeChannel.name}`);
      if (this.closed) return void (await client.end());
      this.client = client;
      this.backoffMs = 250;
      if (reconnecting) {
        console.error('PostgreSQL: live updates from other instances resumed.');
        this.emit();
      }
    } catch (error) {
      await client.end().catch(() => {});
      this.lost(client, error as Error);
    }
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.closed || (this.client && this.client !== client) || this.retry) return;
    this.client = undefined;
    console.error(`PostgreSQL: the connection listening for other instances' changes was lost (${error.message}); retrying in ${this.backoffMs} ms.`);
    this.retry = setTimeout(() => void this.connect(true), this.backoffMs);
    this.retry.unref?.();
    this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
  }

  private isOthers(payload: string): boolean {
    try {
      const { schema, instance } = JSON.parse(payload) as { schema?: string; instance?: string };
      return schema === this.schema && instance !== this.instance;
    } catch {
      return false;
    }
  }

  private emit(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        console.error(`A change listener failed: ${(error as Error).message}`);
      }
    }
  }
}
