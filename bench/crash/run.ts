// The crash test: orders in flight over HTTP while processes are SIGKILLed at random moments and
// started again, then everything settles and is checked against the rules.
// - embedded topology: the worker, and the Temporal dev server (restarted on its persistent file);
// - cluster topology: either of the two workers, the history and the matching services of the
//   Temporal cluster, and PostgreSQL (which holds both the application's data and Temporal's);
//   orders go through both APIs.
import { Client, Connection } from '@temporalio/client';
import { ApiClient, inParallel } from '../support/api-client';
import { startProcessSystem, type Topology } from '../support/process-system';
import { percentile, seededRandom } from '../support/stats';
import { checkOutcome, type CrashCounts } from './check';
import { driveOrder, type DrivenOrder } from './drive';
import { planOrders } from './plan';
import { checkRenewals, startSubscriptionsDueSoon } from './renewals';
import { checkTickets, driveTicket, planTickets, seedTicketServices, type DrivenTicket, type TicketCounts } from './tickets';

export interface CrashTestOptions {
  topology?: Topology;
  orders: number;
  workerKills: number;
  /** Embedded: dev server restarts. Cluster: kills of the history service and of the matching service, each. */
  temporalRestarts: number;
  /** Cluster: PostgreSQL SIGKILLed and restarted. */
  databaseRestarts?: number;
  /** Subscriptions whose first renewal falls due during the storm (X-1 deadlines). */
  renewals: number;
  /** Support tickets worked during the storm (DIA-1..DIA-7); default: one for every 4 orders. */
  tickets?: number;
  concurrency: number;
  seed: number;
  log?: (line: string) => void;
}

export interface CrashTestReport {
  options: Omit<CrashTestOptions, 'log'>;
  counts: CrashCounts & TicketCounts & { renewalsDue: number; renewalsOnTimeOnce: number };
  violations: string[];
  events: string[];
  apiRetries: number;
  /** Checkout to end state per order: the faults show in the tail. */
  orderSeconds: { p50: number; p99: number; max: number; slowest: string };
  /** Opening to end state per ticket. */
  ticketSeconds: { p50: number; p99: number; max: number; slowest: string };
  wallSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function times(what: string, driven: (DrivenOrder | DrivenTicket)[]): CrashTestReport['orderSeconds'] {
  if (driven.length === 0) return { p50: 0, p99: 0, max: 0, slowest: 'none' };
  const seconds = driven.map((o) => o.seconds);
  const slowest = driven.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return { p50: percentile(seconds, 50), p99: percentile(seconds, 99), max: slowest.seconds, slowest: `${what} ${slowest.index} (${slowest.scenario})` };
}

export async function runCrashTest(opts: CrashTestOptions): Promise<CrashTestReport> {
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const random = seededRandom(opts.seed);
  const events: string[] = [];
  const event = (what: string) => {
    const line = `+${((Date.now() - started) / 1000).toFixed(1)}s ${what}`;
    events.push(line);
    log(`[crash] ${line}`);
  };
  const topology = opts.topology ?? 'embedded';
  const sys = await startProcessSystem({ topology, log });
  const connection = await Connection.connect({ address: sys.temporalAddress });
  const temporal = new Client({ connection, dataConverter: sys.dataConverter });
  let ok = false;
  try {
    const apis = sys.apiUrls.map((url) => new ApiClient(url));
    const plan = planOrders(opts.orders, random);
    const runId = `${opts.seed}`;
    // Due from 10 s on, spread over about the storm's length (a slot every ~4.5 s).
    type Slot = 'worker' | 'temporal' | 'history' | 'matching' | 'database';
    const temporalSlots: Slot[] = topology === 'cluster' ? ['history', 'matching'] : ['temporal'];
    const slots: Slot[] = [
      ...Array<Slot>(opts.workerKills).fill('worker'),
      ...Array.from({ length: opts.temporalRestarts }, () => temporalSlots).flat(),
      ...Array<Slot>(topology === 'cluster' ? (opts.databaseRestarts ?? 0) : 0).fill('database'),
    ];
    const slotCount = slots.length;
    const dueSoon = await startSubscriptionsDueSoon(sys.db, temporal, sys.taskQueue, { count: opts.renewals, firstInMs: 10_000, spreadMs: slotCount * 4_500 });
    event(`${opts.renewals} subscriptions renew between ${dueSoon[0]?.dueAt} and ${dueSoon.at(-1)?.dueAt}`);
    const ticketPlan = planTickets(opts.tickets ?? Math.ceil(opts.orders / 4), random);
    const ticketServices = await seedTicketServices(sys.db, temporal, sys.taskQueue, ticketPlan.length);
    event(`${ticketPlan.length} support tickets to work on ${ticketServices.length} premium services`);
    event(`placing ${opts.orders} orders, ${opts.concurrency} at a time`);

    // The storm: kills at random moments while orders are in flight; the server restart takes
    // one of the slots between them (with a worker running, which must reconnect).
    for (let i = slots.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [slots[i], slots[j]] = [slots[j], slots[i]];
    }
    const storm = (async () => {
      for (const slot of slots) {
        await sleep(1000 + random() * 5000);
        if (slot === 'worker') {
          const index = Math.floor(random() * sys.workers().length);
          await sys.killWorker(index);
          event(`worker ${index + 1} killed (SIGKILL)`);
          await sleep(random() * 3000);
          await sys.startWorker(index);
          event(`worker ${index + 1} started again`);
        } else if (slot === 'temporal') {
          await sys.restartTemporal('SIGKILL');
          event('Temporal dev server killed (SIGKILL) and started again on its file');
        } else if (slot === 'database') {
          await sys.restartDatabase();
          event('PostgreSQL killed (SIGKILL) and started again on its data');
        } else {
          await sys.restartTemporalService(slot);
          event(`Temporal ${slot} service killed (SIGKILL) and started again`);
        }
      }
    })();

    // The buyers' mailbox: what the system's SMTP inbox received (sign-in links, X-8).
    const mailbox = (to: string) => sys.db.mailboxMessage.findMany({ where: { toAddrs: { contains: to } }, orderBy: { id: 'asc' }, select: { id: true, subject: true, text: true } });
    // Tickets in flight beside the orders, a few at a time.
    const [driven, tickets]: [DrivenOrder[], DrivenTicket[]] = await Promise.all([
      inParallel(plan, opts.concurrency, (scenario, i) => driveOrder(apis[i % apis.length], runId, i, scenario, mailbox)).then((d) => {
        event('every order reached the state its scenario calls for');
        return d;
      }),
      inParallel(ticketPlan, Math.max(1, Math.ceil(opts.concurrency / 3)), (scenario, i) => driveTicket(apis[(i + 1) % apis.length], runId, i, scenario, ticketServices[i])).then((t) => {
        event('every ticket reached the state its scenario calls for');
        return t;
      }),
    ]);
    await storm;
    event('storm over');

    // Settle: every renewal taken and every e-mail of the outbox delivered (retries after a kill
    // wait out their timeouts).
    const settleBy = Date.now() + 180_000;
    const settled = async () =>
      (await sys.db.email.count({ where: { status: { not: 'sent' } } })) === 0 &&
      (await sys.db.payment.count({ where: { kind: 'renewal', lineId: { in: dueSoon.map((d) => d.lineId) } } })) >= dueSoon.length;
    while (!(await settled()) && Date.now() < settleBy) await sleep(500);
    // Let any duplicate delivery surface before counting.
    await sleep(3000);
    event('settled');

    const { counts, violations } = await checkOutcome(sys.db, temporal, driven);
    const renewals = await checkRenewals(sys.db, dueSoon);
    const ticketCheck = await checkTickets(sys.db, tickets);
    const { log: _log, ...options } = opts;
    const allViolations = [...violations, ...renewals.violations, ...ticketCheck.violations];
    ok = allViolations.length === 0;
    return {
      options,
      counts: { ...counts, ...ticketCheck.counts, renewalsDue: dueSoon.length, renewalsOnTimeOnce: renewals.onTimeOnce },
      violations: allViolations,
      events,
      apiRetries: apis.reduce((n, a) => n + a.failures, 0),
      orderSeconds: times('order', driven),
      ticketSeconds: times('ticket', tickets),
      wallSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await connection.close();
    await sys.stop(!ok);
  }
}
