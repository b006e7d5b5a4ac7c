/**
 * Starts the Fieldsign server: one origin serving the PWA and its API, on SQLite or PostgreSQL.
 * `npm start -- --help` lists the settings.
 */
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { createApp } from './app.ts';
import { loadCampaignFile, loadConfig } from './config.ts';
import { describeDb, openStore } from './store/open.ts';
import { checkSealing, withSealing } from './sealing.ts';
import { DEFAULT_CAMPAIGN } from '../src/shared/default-campaign.ts';
import type { Store } from './store/store.ts';
import { guardProcess } from './process-guard.ts';
import { reportLoopDelayOnSignal } from './bench-loop-delay.ts';

// First of all, so that nothing after it (a failed live update, a dropped database
// connection's callback) can end the process with batches in flight; see process-guard.ts.
guardProcess();
reportLoopDelayOnSignal(); // only with FIELDSIGN_BENCH_LOOP_DELAY=1 (bench/scale.ts)

let config;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

if (!existsSync(config.staticDir)) {
  console.warn(`Note: no built app in "${config.staticDir}"; serving the API only. Run "npm run build" first.`);
}
let campaign;
if (config.campaignFile) {
  try {
    campaign = loadCampaignFile(config.campaignFile);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
if (campaign?.sealing && !config.sealKeyFile) {
  // A key pasted into a campaign file is checked like --seal-key's: tablets would refuse it.
  const problem = await checkSealing(campaign);
  if (problem) {
    console.error(`The campaign file ${config.campaignFile}: ${problem}`);
    process.exit(2);
  }
}
if (config.sealKeyFile) {
  try {
    campaign = await withSealing(campaign ?? DEFAULT_CAMPAIGN, config.sealKeyFile, config.sealCountryInClear);
    console.log(`Sealed campaign: tablets encrypt every signature for coordinator key ${campaign.sealing!.keyId}.`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
let store: Store;
try {
  store = await openStore(config.db);
} catch (error) {
  console.error(`Cannot open the database ${describeDb(config.db)}: ${(error as Error).message}`);
  process.exit(1);
}
const app = createApp({
  store,
  db: config.db,
  staticDir: config.staticDir,
  tabletRetentionMs: config.tabletRetentionMs,
  staleAfterMs: config.staleAfterMs,
  tokenLifetimeMs: config.tokenLifetimeMs,
  campaign,
  publicStreams: { total: config.publicStreams, perAddress: config.publicStreamsPerAddress },
  publicUrl: config.publicUrl,
  trustProxy: config.trustProxy,
  sessions: { lifetimeMs: config.sessionHours * 3_600_000, idleMs: config.sessionIdleMinutes * 60_000 },
});
const server = createServer(app);
server.keepAliveTimeout = 5_000;
server.requestTimeout = 60_000;

server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${config.port} is already in use. Choose another with --port or PORT.` : error.message);
  process.exit(1);
});

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shown = config.host === '127.0.0.1' || config.host === '::1' ? 'localhost' : config.host;
  console.log(`Fieldsign listening on http://${shown}:${port} (database ${describeDb(config.db)})`);
  if (config.publicUrl) console.log(`Public address: ${config.publicUrl}${config.trustProxy ? `, behind the proxy ${config.trustProxy}` : ''}`);
});

let closing = false;
function shutdown(signal: string): void {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing`);
  // Live streams never go idle: end them, so that closing waits only for real requests.
  app.close();
  server.close(() => void store.close().then(() => process.exit(0)));
  server.closeIdleConnections();
  // Connections busy now become idle after their answer: close them then, not at keep-alive timeout.
  setInterval(() => server.closeIdleConnections(), 50).unref();
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
