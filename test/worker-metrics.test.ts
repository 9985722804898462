// Issue 9: a worker process (`npm run worker`'s entry point) with METRICS_BIND_ADDRESS serves
// Prometheus metrics: the SDK's, under the names deploy/prometheus-alerts.yml uses, and the
// classifier's counters. An order paid with the card whose first capture reply is lost makes
// chargeOrder fail once (transient) and run a second attempt, past ACTIVITY_ATTEMPT_ALERT=1.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NodeProcess } from '../infra/node-process';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { ATTEMPT_EXCEEDED_METRIC, FAILURES_METRIC } from '../worker/activity-error-classifier';
import { devServerEnv } from './support/environments';
import { eventually } from './support/http';
import { placeOrder } from './support/orders';
import { testPayloadEnv } from './support/payload-keys';
import { freePort } from './support/ports';
import { startTestSystem, type TestSystem } from './support/system';
import { spawnWorker } from './support/worker-process';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
let worker: NodeProcess | undefined;
let metricsUrl: string;

beforeAll(async () => {
  env = await devServerEnv();
  sys = await startTestSystem({ client: env.client, nativeConnection: env.nativeConnection, withWorker: false });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  // The worker's cache is the default one here: no restart is involved.
  worker = await spawnWorker(inject('devServerAddress'), sys, {
    ...testPayloadEnv,
    METRICS_BIND_ADDRESS: `127.0.0.1:${port}`,
    ACTIVITY_ATTEMPT_ALERT: '1',
    WORKER_MAX_CACHED_WORKFLOWS: '',
  });
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await sys?.stop();
  await env?.teardown();
});

async function scrape(): Promise<string> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  return res.text();
}

/** The samples of a metric: its label sets and values. */
function samples(text: string, name: string): { labels: string; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => {
      const m = /^[^{ ]+(\{.*\})? (\S+)$/.exec(l)!;
      return { labels: m[1] ?? '', value: Number(m[2]) };
    });
}

describe('worker metrics', () => {
  it('issue 9: the worker prints its metrics URL and serves the SDK metrics at /metrics', async () => {
    expect(worker!.output()).toContain(`[worker] metrics at ${metricsUrl}`);
    const text = await scrape();
    for (const name of ['temporal_worker_task_slots_available', 'temporal_num_pollers', 'temporal_request', 'temporal_worker_start']) {
      expect(samples(text, name).length, name).toBeGreaterThan(0);
    }
    // Counters carry no `_total` suffix (countersTotalSuffix off), histograms no unit suffix.
    expect(text).not.toMatch(/^temporal_request_total/m);
    expect(text).toMatch(/^# TYPE temporal_request counter$/m);
  });

  it(`issue 9: an activity retried past ACTIVITY_ATTEMPT_ALERT shows in ${ATTEMPT_EXCEEDED_METRIC}, its failure in ${FAILURES_METRIC} and the SDK's activity metrics`, async () => {
    await placeOrder(sys.apiUrl, { card: TEST_CARDS.failsOnceThenSucceeds });
    const text = await eventually(async () => {
      const t = await scrape();
      return samples(t, ATTEMPT_EXCEEDED_METRIC).length > 0 && samples(t, 'temporal_activity_execution_failed').length > 0 ? t : undefined;
    }, 20_000, 'the activity metrics');

    const exceeded = samples(text, ATTEMPT_EXCEEDED_METRIC);
    expect(exceeded.find((s) => s.labels.includes('activityType="chargeOrder"'))?.value, text).toBeGreaterThanOrEqual(1);
    const failures = samples(text, FAILURES_METRIC);
    expect(failures.find((s) => s.labels.includes('classification="transient"') && s.labels.includes('activityType="chargeOrder"'))?.value, text).toBeGreaterThanOrEqual(1);
    expect(samples(text, 'temporal_activity_execution_failed').find((s) => s.labels.includes('activity_type="chargeOrder"'))?.value).toBeGreaterThanOrEqual(1);
    for (const name of ['temporal_activity_schedule_to_start_latency_bucket', 'temporal_workflow_task_schedule_to_start_latency_bucket', 'temporal_activity_execution_latency_count']) {
      expect(samples(text, name).length, name).toBeGreaterThan(0);
    }
    // The failed attempt is logged with its classification and number.
    expect(worker!.output()).toMatch(/Activity attempt 1 failed: transient/);
  });
});
