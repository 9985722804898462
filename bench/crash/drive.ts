// One crash-test order driven over HTTP as its customer and sellers would: checkout with an
// Idempotency-Key, wait for the lines to reach their sellers, then the scenario's commands. The
// anonymous checkout answers an order token (it reads that order only); a scenario whose customer
// commands its order or subscriptions first signs in, as a buyer does: it asks for a link,
// reads it in its mailbox (the system's SMTP inbox) and exchanges it for a key. Every call is
// retried through outages; a command whose Update outlasts the API's wait answers 202 and its
// outcome is followed at its statusUrl; a command retried after its answer was lost may meet its
// own earlier success (409 "already decided"), which is fine only on a retry.
import { DEMO_KEYS, demoSellerKey } from '../../prisma/demo-data';
import { checkoutBody } from '../../test/support/checkout';
import type { ApiClient, ApiResponse } from '../support/api-client';
import { cardFor, expectedLines, type Scenario } from './plan';

/** The messages received for an address (the buyer's mailbox), oldest first. */
export type Mailbox = (to: string) => Promise<{ id: number; subject: string; text: string }[]>;

export interface DrivenOrder {
  index: number;
  scenario: Scenario;
  orderId: string;
  /** The order token the anonymous checkout answered. */
  orderToken?: string;
  /** From signing in, for the scenarios whose customer sends commands. */
  customerId?: string;
  customerKey?: string;
  email: string;
  lines: { lineId: string; sellerId: string }[];
  /** Answers that break a rule, e.g. a 409 on a first attempt. */
  anomalies: string[];
  /** From checkout to the scenario's end state, as seen through the API. */
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * a buyer gets its key by signing in: a link e-mailed to its address, exchanged once. A link
 * whose exchange answer was lost (its retry is then told the link is used) is asked for again.
 */
async function signIn(api: ApiClient, email: string, mailbox: Mailbox): Promise<{ customerId: string; apiKey: string }> {
  const links = async () => {
    // The mailbox is the database the SMTP inbox writes to: PostgreSQL may be down a moment.
    for (let tries = 0; ; tries++) {
      try {
        return (await mailbox(email)).filter((m) => m.subject === 'Your sign-in link');
      } catch (err) {
        if (tries >= 120) throw err;
        await sleep(500);
      }
    }
  };
  for (let round = 1; ; round++) {
    const seen = new Set((await links()).map((m) => m.id));
    const asked = await api.call('POST', '/auth/sign-in', { body: { email } });
    if (asked.status !== 202) throw new Error(`sign-in for ${email}: ${asked.status} ${JSON.stringify(asked.body)}`);
    // Delivery is the business of its own workflow, retried through the outages.
    const giveUpAt = Date.now() + 180_000;
    let message: { text: string } | undefined;
    while (!(message = (await links()).find((m) => !seen.has(m.id)))) {
      if (Date.now() > giveUpAt) throw new Error(`sign-in for ${email}: no link received within 180 s`);
      await sleep(250);
    }
    const token = /[?&]token=([A-Za-z0-9_-]{43})/.exec(message.text)?.[1];
    if (!token) throw new Error(`sign-in for ${email}: no token in the link e-mail`);
    const exchanged = await api.call('POST', '/auth/sign-in/exchange', { body: { token } });
    if (exchanged.status === 201) return { customerId: exchanged.body.customerId, apiKey: exchanged.body.apiKey };
    if (exchanged.status === 401 && exchanged.retries > 0 && round < 3) continue;
    throw new Error(`sign-in for ${email}: exchange answered ${exchanged.status} ${JSON.stringify(exchanged.body)} after ${exchanged.retries} retries`);
  }
}

export async function driveOrder(api: ApiClient, runId: string, index: number, scenario: Scenario, mailbox: Mailbox): Promise<DrivenOrder> {
  const started = Date.now();
  const email = `crash-${runId}-${index}@example.test`;
  const anomalies: string[] = [];
  const checkout = await api.call('POST', '/checkout', { body: checkoutBody({ email, card: cardFor(scenario) }), headers: { 'idempotency-key': `crash-${runId}-${index}` } });
  const expectedStatus = scenario === 'declined' ? 402 : 201;
  if (checkout.status !== expectedStatus) throw new Error(`order ${index} (${scenario}): checkout answered ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const order: DrivenOrder = {
    index,
    scenario,
    orderId: checkout.body.orderId,
    orderToken: checkout.body.orderToken,
    email,
    lines: (checkout.body.lines ?? []).map((l: { lineId: string; sellerId: string }) => ({ lineId: l.lineId, sellerId: l.sellerId })),
    anomalies,
    seconds: 0,
  };
  const done = () => ({ ...order, seconds: Math.round((Date.now() - started) / 100) / 10 });
  if (scenario === 'declined') return done();
  // an anonymous checkout answers the same for any address: an order token, never a key or an account id.
  if (!/^ot1\./.test(order.orderToken ?? '')) throw new Error(`order ${index}: the checkout answered no order token`);
  if ('customerApiKey' in checkout.body || 'customerId' in checkout.body) anomalies.push(`checkout answered ${Object.keys(checkout.body).join(', ')}`);

  const linePath = (lineId: string) => `/orders/${order.orderId}/lines/${lineId}`;
  for (const line of order.lines) {
    await api.waitFor(linePath(line.lineId), DEMO_KEYS.admin, (b) => b?.status === 'awaiting_validation');
  }
  // The buyer follows its order with the token, and learns nothing of the account.
  const followed = await api.call('GET', `/orders/${order.orderId}`, { key: order.orderToken });
  if (followed.status !== 200 || followed.body?.status !== 'paid' || 'customerId' in (followed.body ?? {})) {
    anomalies.push(`GET /orders/${order.orderId} with its order token: ${followed.status} ${JSON.stringify(followed.body).slice(0, 200)}`);
  }
  if (scenario === 'withdraw' || scenario === 'retried-charge-then-manual') {
    const signedIn = await signIn(api, email, mailbox);
    order.customerId = signedIn.customerId;
    order.customerKey = signedIn.apiKey;
  }
  /** A command's answer: 200, or 409 when an earlier attempt (answer lost) already did it. */
  const expectDone = (what: string, res: ApiResponse) => {
    if (res.status === 200) return;
    if (res.status === 409 && res.retries > 0) return;
    anomalies.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)} after ${res.retries} retries`);
  };
  /**
   * A command, sent as its caller would: an Update accepted but not finished within the API's wait
   * (a worker down) answers 202 with the URL of its outcome, which the caller then follows.
   */
  const command = async (path: string, key: string, body: unknown): Promise<ApiResponse> => {
    const res = await api.call('POST', path, { key, body });
    if (res.status !== 202) return res;
    const outcome = await api.waitFor(res.body.statusUrl, key, (_b, status) => status !== 202);
    return { ...outcome, retries: res.retries + outcome.retries };
  };
  const [first, second] = order.lines;
  const accept = async (line: { lineId: string; sellerId: string }) =>
    expectDone(`accept ${line.lineId}`, await command(`${linePath(line.lineId)}/accept`, demoSellerKey(line.sellerId), { accessInstructions: `https://access.example.test/${line.lineId}` }));

  switch (scenario) {
    case 'accept-both':
      await Promise.all([accept(first), accept(second)]);
      break;
    case 'accept-and-refuse':
      await accept(first);
      expectDone(`refuse ${second.lineId}`, await command(`${linePath(second.lineId)}/refuse`, demoSellerKey(second.sellerId), { reason: 'Region not served' }));
      break;
    case 'undecided':
      break;
    case 'withdraw': {
      // A repeated withdrawal returns the first one's result: 200 either way, every line cancelled.
      const res = await api.call('POST', `/orders/${order.orderId}/withdraw`, { key: order.customerKey, body: {} });
      expectDone('withdraw', res);
      const outcomes = (res.body?.lines ?? []).map((l: { outcome: string }) => l.outcome);
      if (res.status === 200 && outcomes.join() !== 'cancelled,cancelled') anomalies.push(`withdrawal outcomes ${outcomes.join()}`);
      break;
    }
    case 'retried-charge-then-manual':
      await Promise.all([accept(first), accept(second)]);
      await api.waitFor(`/subscriptions/${first.lineId}`, order.customerKey!, (b, status) => status === 200 && b?.status === 'active');
      expectDone('renewal-mode manual', await command(`/subscriptions/${first.lineId}/renewal-mode`, order.customerKey!, { mode: 'manual' }));
      break;
  }
  const expected = expectedLines(scenario);
  for (const [i, line] of order.lines.entries()) {
    await api.waitFor(linePath(line.lineId), DEMO_KEYS.admin, (b) => b?.status === expected[i]);
  }
  return done();
}
