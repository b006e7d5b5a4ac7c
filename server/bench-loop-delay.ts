/**
 * For bench/scale.ts only: with FIELDSIGN_BENCH_LOOP_DELAY=1 in its environment, the server
 * measures its event-loop delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution) and, on
 * each SIGUSR2, prints what it saw since the previous one as one line,
 * `bench-loop-delay {"p50":…,"p99":…,"max":…,"samples":…}` (milliseconds), and starts over.
 * Off by default: no endpoint, no timer, nothing changes for a production server.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Start the reporter when `env` asks for it. */
export function reportLoopDelayOnSignal(env: NodeJS.ProcessEnv = process.env): void {
  if (env.FIELDSIGN_BENCH_LOOP_DELAY !== '1') return;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  process.on('SIGUSR2', () => {
    const line = { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), samples: histogram.count };
    histogram.reset();
    console.log(`bench-loop-delay ${JSON.stringify(line)}`);
  });
}
