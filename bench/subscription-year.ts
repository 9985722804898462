// Wall time to simulate one subscription-year of monthly renewals under time skipping: the
// Subscription workflow, its renewals (charge, invoice, e-mails) and its continue-as-new each
// period, on the time-skipping test server with a real worker, database and SMTP server.
import { timeSkippingEnv } from '../test/support/time-skipping';
import { DAY, seedPaidLine, startSubscription, waitState } from '../test/support/subscriptions';
import { startTestSystem } from '../test/support/system';
import { startDatabaseServer } from '../test/support/database-server';
import { seededDatabase } from '../test/support/template-db';

export interface SubscriptionYearResult {
  wallSeconds: number;
  renewals: number;
  runs: number;
}

export async function simulateSubscriptionYear(): Promise<SubscriptionYearResult> {
  const databaseServer = await startDatabaseServer();
  const templateDb = databaseServer.url('template');
  await seededDatabase(templateDb);
  const env = await timeSkippingEnv();
  const sys = await startTestSystem({ client: env.client, nativeConnection: env.nativeConnection, templateDb });
  try {
    const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString() });
    await startSubscription(env.client, sys, line);
    const started = performance.now();
    // Twelve monthly due dates after the first period (paid at checkout), and a day's margin.
    await env.sleep(Date.parse(line.paidAt) + 366 * DAY - (await env.currentTimeMs()));
    const state = await waitState(env.client, line.lineId, (s) => s.paidPeriods >= 13, '13 paid periods', 120_000);
    return { wallSeconds: Math.round((performance.now() - started) / 100) / 10, renewals: state.paidPeriods - 1, runs: state.run.number };
  } finally {
    await sys.stop();
    await env.teardown();
    await databaseServer.stop();
  }
}
