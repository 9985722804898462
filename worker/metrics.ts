// Issue 9: the worker's Prometheus metrics. The Temporal Runtime (one per process, installed
// before the first connection) serves the SDK's `temporal_*` metrics and the classifier's
// `marketplace_*` counters at http://<METRICS_BIND_ADDRESS>/metrics (README "Stuck work").
import { Runtime, type Logger } from '@temporalio/worker';

/** Where `scripts/start.sh`'s in-process worker serves its metrics unless METRICS_BIND_ADDRESS says otherwise. */
export const EMBEDDED_METRICS_BIND_ADDRESS = '127.0.0.1:9464';

/**
 * METRICS_BIND_ADDRESS (an IP and a port, e.g. `127.0.0.1:9464`, `0.0.0.0:9464` in a container),
 * else `fallback`; empty turns the metrics off (undefined).
 */
export function metricsBindAddress(env: NodeJS.ProcessEnv = process.env, fallback?: string): string | undefined {
  const value = (env.METRICS_BIND_ADDRESS ?? fallback ?? '').trim();
  return value || undefined;
}

/** The scrape URL of a bind address (an unspecified address is scraped on loopback). */
export function metricsUrl(bindAddress: string): string {
  const host = bindAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
  return `http://${host}/metrics`;
}

/**
 * Installs the process's Temporal Runtime, exporting metrics when `metricsBindAddress` is given.
 * Throws when the address is malformed or taken (the SDK binds it here).
 */
export function installRuntime(opts: { logger?: Logger; metricsBindAddress?: string }): Runtime {
  try {
    return Runtime.install({
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.metricsBindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: opts.metricsBindAddress } } } } : {}),
    });
  } catch (err) {
    if (!opts.metricsBindAddress) throw err;
    throw new Error(`metrics on METRICS_BIND_ADDRESS=${opts.metricsBindAddress}: ${(err as Error).message}`, { cause: err });
  }
}
