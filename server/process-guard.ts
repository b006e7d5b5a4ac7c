/**
 * What the long-running server does with an error nobody caught: log it, loudly and with its
 * stack, and keep serving.
 *
 * Why keep running: every write is one transaction (SQLite BEGIN…COMMIT run synchronously,
 * PostgreSQL BEGIN…COMMIT on one connection), so an error escaping some callback cannot leave
 * a batch half-written; exiting, on the other hand, drops every batch in flight, every
 * dashboard and counter stream, and (without a supervisor) the whole rally until someone
 * restarts the server. Node's default for an unhandled rejection is to exit; here one stray
 * promise (e.g. a failed live update) would take the server down.
 *
 * Never silent: each one is logged with its stack, and the count so far, so an operator sees
 * a fault that repeats. One-shot commands (server/cli.ts) do not use this: they end anyway
 * and report their error with a non-zero exit status.
 */

export type GuardLog = (message: string, error: unknown) => void;

/** Install the handlers on `proc` (default: this process). Returns a function that removes them. */
export function guardProcess(log: GuardLog = (message, error) => console.error(message, error), proc: NodeJS.Process = process): () => void {
  let count = 0;
  const report = (what: string) => (error: unknown) => {
    count++;
    log(`${what} (${count} since start; still serving):`, error);
  };
  const onRejection = report('Unhandled promise rejection');
  const onException = report('Uncaught exception');
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}
