// The load: orders placed and accepted over HTTP, as customers and sellers do. Checkout carries the
// Idempotency-Key it requires (ORD-4) and, the buyer being anonymous, answers an order token and
// no key; each seller polls its line until it is theirs to decide, then accepts it.
// With several API processes (the cluster), order i goes to API i mod n, as a round-robin load
// balancer would send it.
import { demoSellerKey } from '../../prisma/demo-data';
import { checkoutBody } from '../../test/support/checkout';
import { ApiClient, inParallel } from '../support/api-client';

export interface OrderTiming {
  orderId: string;
  lineIds: string[];
  checkoutMs: number;
  acceptMs: number[];
  /** From the checkout request to the last line answered active. */
  endToEndMs: number;
}

export interface LoadRun {
  timings: OrderTiming[];
  wallMs: number;
  /** Requests retried after a 5xx or a network error (the floor has none). */
  retries: number;
  /** Polls for a line to be ready for its seller. */
  readinessPolls: number;
}

export async function placeAndAcceptOrders(apiUrls: string[], opts: { orders: number; concurrency: number; tag: string }): Promise<LoadRun> {
  const clients = apiUrls.map((url) => new ApiClient(url, 30_000));
  const started = performance.now();
  const timings = await inParallel(Array.from({ length: opts.orders }), opts.concurrency, async (_, i): Promise<OrderTiming> => {
    const api = clients[i % clients.length];
    const t0 = performance.now();
    const checkout = await api.call('POST', '/checkout', {
      body: checkoutBody({ email: `load-${opts.tag}-${i}@example.test` }),
      headers: { 'idempotency-key': `load-${opts.tag}-${i}` },
    });
    if (checkout.status !== 201) throw new Error(`checkout ${i}: ${checkout.status} ${JSON.stringify(checkout.body)}`);
    const { orderId, lines, orderToken } = checkout.body as { orderId: string; orderToken?: string; lines: { lineId: string; sellerId: string }[] };
    if (!orderToken?.startsWith('ot1.') || 'customerApiKey' in checkout.body) throw new Error(`checkout ${i}: not an anonymous checkout's answer: ${Object.keys(checkout.body).join(', ')}`);
    const acceptMs = await Promise.all(
      lines.map(async (line) => {
        const path = `/orders/${orderId}/lines/${line.lineId}`;
        const key = demoSellerKey(line.sellerId);
        await api.waitFor(path, key, (b) => b?.status === 'awaiting_validation', 60_000, 50);
        let res = await api.call('POST', `${path}/accept`, { key, body: { accessInstructions: `https://access.example.test/${line.lineId}` } });
        let ms = res.ms;
        // An accept not carried out within the API's wait answers 202: its outcome is at statusUrl
        // (timed then from the accept to the outcome).
        if (res.status === 202) {
          const followed = performance.now();
          res = await api.waitFor(res.body.statusUrl, key, (_b, status) => status !== 202, 60_000, 50);
          ms += performance.now() - followed;
        }
        if (res.status !== 200 || res.body.status !== 'active') throw new Error(`accept ${line.lineId}: ${res.status} ${JSON.stringify(res.body)}`);
        return ms;
      }),
    );
    return { orderId, lineIds: lines.map((l) => l.lineId), checkoutMs: checkout.ms, acceptMs, endToEndMs: performance.now() - t0 };
  });
  const sum = (f: (c: ApiClient) => number) => clients.reduce((n, c) => n + f(c), 0);
  return { timings, wallMs: performance.now() - started, retries: sum((c) => c.failures), readinessPolls: sum((c) => c.polls) };
}
