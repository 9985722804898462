// PYO-1 at size: a payout day for thousands of sellers. Seeds the sellers, their bank details and
// their captured lines straight into the ledger (./seed.ts), runs the payout day as the calendar
// runs it (payoutCalendarWorkflow, under a benchmark-only id, started on a day whose end is past:
// no sleep), SIGKILLs one of the two workers once a share of the payouts is settled and starts it
// again, waits for every payout to settle, then stops the benchmark's calendar (after the day it
// continues as new and sleeps until the next one). Real time on the dev server, as the MED-5
// benchmark. Checks: each seller paid exactly once per currency for exactly the net it was owed
// (./verify.ts), the books (bench/crash/ledger-check.ts), no history of 10,000 events or more, and
// the fails-once account's transfer retried. Measures the day's wall time, the ledger's write
// rate, the workers' peak memory and the longest histories.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { nextPayoutDay, payoutDayFor, type PayoutDay } from '../../domain/payout-calendar';
import { businessTimeZone } from '../../domain/time-format';
import { payoutCalendarWorkflow } from '../../workflows/payout-calendar';
import { payoutWorkflowId } from '../../workflows/payout';
import { checkLedger } from '../crash/ledger-check';
import { startProcessSystem } from '../support/process-system';
import { sampleWorkerMemory, type PeakMemory } from './peak-memory';
import { seedPayoutDay } from './seed';
import { verifyPayouts, type PaidCounts } from './verify';

export interface PayoutDayBenchOptions {
  sellers: number;
  linesPerSeller: number;
  /** SIGKILL worker 1 once this share of the payouts is settled, and start it again (0: no kill). */
  killAtShare: number;
  /** Every k-th seller banks on the sandbox's fails-once account (0: none). */
  failsOnceEvery?: number;
  /** Every k-th line is refunded before its release (0: none). */
  refundEvery?: number;
  /** Every k-th seller also sells in USD (0: none). */
  secondCurrencyEvery?: number;
  seed?: number;
  /** Reads of the workflows' descriptions and histories at once. */
  concurrency?: number;
  /** The payout day is a violation past this (it is then stopped and checked as it is). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface PayoutDayReport {
  sellers: number;
  lines: number;
  refunds: number;
  /** Seller-currency pairs: one payout each. */
  payouts: number;
  failsOnceSellers: number;
  day: PayoutDay;
  seed: { seconds: number; transfers: number; transfersPerSecond: number };
  /** From the calendar's start to the last payout settled. */
  payoutDaySeconds: number;
  payoutsPerSecond: number;
  /** LedgerTransfer rows written during the payout day (releases, payouts, their posts). */
  ledger: { transfersWritten: number; transfersPerSecond: number };
  workerKills: number;
  /** Payouts settled when worker 1 was SIGKILLed. */
  killedAtSettled: number | null;
  /** Per worker process (a restarted worker is a new one): VmHWM and the largest VmRSS sampled, MiB. */
  memory: Record<string, PeakMemory>;
  paid: PaidCounts;
  bankTransfers: PaidCounts;
  /** Fails-once sellers whose bank call was answered on a second attempt or later. */
  retriedTransfers: number;
  /** The payouts' activities by type: the most attempts one took, and how many took more than one. */
  activityAttempts: Record<string, { max: number; retried: number }>;
  calendarRuns: number;
  maxHistoryLength: { calendar: number; payout: number };
  books: { transfers: number; seconds: number };
  violations: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;

async function inPool<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await run(items[next++]);
  }));
}

/** Each activity a history ran to its end, with the attempt that ended it (the history records that one only). */
function activityAttempts(history: temporal.api.history.v1.IHistory): { type: string; attempt: number }[] {
  const types = new Map<string, string>();
  for (const e of history.events ?? []) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) types.set(String(e.eventId), name);
  }
  return (history.events ?? []).flatMap((e) => {
    const started = e.activityTaskStartedEventAttributes;
    return started ? [{ type: types.get(String(started.scheduledEventId)) ?? '?', attempt: started.attempt ?? 1 }] : [];
  });
}

/** The latest payout day whose end is past: its captures 30-40 days old are all released by then, and the next day is still to come. */
export function latestPastPayoutDay(now: number, zone: string): PayoutDay {
  // Payout days are at most 16 days apart: the first one ending after 17 days ago has ended.
  let day = payoutDayFor(new Date(now - 17 * 86_400_000).toISOString(), zone);
  for (let next = nextPayoutDay(day, zone); Date.parse(next.cutoff) < now; next = nextPayoutDay(day, zone)) day = next;
  return day;
}

export async function runPayoutDayBench(opts: PayoutDayBenchOptions): Promise<PayoutDayReport> {
  const log = opts.log ?? (() => undefined);
  const concurrency = opts.concurrency ?? 16;
  const sys = await startProcessSystem({ topology: 'embedded', workers: 2, log });
  const connection = await Connection.connect({ address: sys.temporalAddress });
  const client = new Client({ connection, dataConverter: sys.dataConverter });
  const calendarId = `PayoutCalendar:bench:${randomUUID().slice(0, 8)}`;
  const violations: string[] = [];
  let calendarStarted = false;
  try {
    const zone = businessTimeZone();
    const day = latestPastPayoutDay(Date.now(), zone);
    // The workers' own PayoutCalendar sleeps until the next day; a run that crosses that day's
    // end would see it start payouts for the same sellers beside this one.
    const nextCutoff = Date.parse(nextPayoutDay(day, zone).cutoff);
    if (nextCutoff - Date.now() < (opts.timeoutMs ?? 3 * 3_600_000)) log(`[payout-day] warning: the next payout day ends at ${new Date(nextCutoff).toISOString()}, within the run's time-out`);

    const seeding = Date.now();
    const seeded = await seedPayoutDay(sys.db, {
      sellers: opts.sellers,
      linesPerSeller: opts.linesPerSeller,
      failsOnceEvery: opts.failsOnceEvery ?? 100,
      refundEvery: opts.refundEvery ?? 50,
      secondCurrencyEvery: opts.secondCurrencyEvery ?? 10,
      seed: opts.seed ?? 1,
      day,
      log,
    });
    const seedSeconds = (Date.now() - seeding) / 1000;
    const payouts = seeded.expected.size;
    log(`[payout-day] seeded ${opts.sellers} sellers, ${seeded.lines} lines (${seeded.refunds} refunded), ${seeded.transfers} transfers in ${seedSeconds.toFixed(1)} s; payout day ${day.date}, ${payouts} payouts`);

    const settledCount = () => sys.db.payout.count({ where: { sellerId: { startsWith: seeded.sellerPrefix }, date: day.date, settledAt: { not: null } } });
    const memory = sampleWorkerMemory(() => Object.fromEntries(Object.entries(sys.pids()).filter(([role]) => role.startsWith('worker-'))));
    const transfersBefore = await sys.db.ledgerTransfer.count();
    const started = Date.now();
    await client.workflow.start(payoutCalendarWorkflow, {
      workflowId: calendarId,
      taskQueue: sys.taskQueue,
      // Mid-day input: the day's end is past, so the calendar runs it at once.
      args: [{ running: { day, afterSellerId: null, started: 0 } }],
      staticSummary: `Payout calendar (PYO-1), benchmark: the payout day ${day.date} for ${opts.sellers} sellers`,
    });
    calendarStarted = true;

    let workerKills = 0;
    let restart: Promise<void> | undefined;
    let killedAtSettled: number | null = null;
    let settled = 0;
    const deadline = started + (opts.timeoutMs ?? 3 * 3_600_000);
    let lastLog = Date.now();
    while ((settled = await settledCount()) < payouts && Date.now() < deadline) {
      if (opts.killAtShare > 0 && workerKills === 0 && settled >= payouts * opts.killAtShare) {
        memory.sample(); // its high-water mark, just before it goes
        await sys.killWorker(0);
        workerKills += 1;
        killedAtSettled = settled;
        log(`[payout-day] ${settled} of ${payouts} settled: SIGKILL worker 1`);
        // As a crashed machine comes back: some seconds later (the other worker goes on meanwhile).
        restart = sleep(5_000).then(() => sys.startWorker(0)).then(() => log('[payout-day] worker 1 started again'));
        restart.catch(() => undefined); // its failure is thrown where it is awaited, below
      }
      if (Date.now() - lastLog > 30_000) {
        log(`[payout-day] ${settled} of ${payouts} settled after ${((Date.now() - started) / 1000).toFixed(0)} s`);
        lastLog = Date.now();
      }
      await sleep(payouts > 500 ? 500 : 100);
    }
    const payoutDaySeconds = (Date.now() - started) / 1000;
    const transfersWritten = (await sys.db.ledgerTransfer.count()) - transfersBefore;
    if (settled < payouts) violations.push(`${payouts - settled} of ${payouts} payouts not settled after ${payoutDaySeconds.toFixed(0)} s`);
    log(`[payout-day] ${settled} of ${payouts} settled in ${payoutDaySeconds.toFixed(1)} s, ${transfersWritten} transfers written`);
    await restart; // begun after the kill; the day may have ended first

    // The calendar, its day done, continues as new and sleeps until the next payout day: stop it there.
    const calendar = client.workflow.getHandle(calendarId);
    for (const until = Date.now() + 120_000; Date.now() < until; await sleep(500)) {
      const details = await calendar.query<{ currentDetails?: string }>('__temporal_workflow_metadata').then((m) => m.currentDetails ?? '', () => '');
      if (details.includes('waiting for the end of the payout day')) break;
    }
    await calendar.terminate('payout-day benchmark over: the day is run');
    calendarStarted = false;
    const memoryPeaks = memory.stop();

    const verified = await verifyPayouts(sys.db, seeded, day.date);
    violations.push(...verified.violations);

    // Each seller's payout: its history's length (under 10,000 events), the attempts its
    // activities took (a step timed out or lost with the worker is tried again), and for a
    // fails-once seller, its bank call answered on a retry after the lost answer.
    let maxPayout = 0;
    let retriedTransfers = 0;
    const attempts: Record<string, { max: number; retried: number }> = {};
    const failsOnce = new Set(seeded.failsOnce);
    await inPool(seeded.sellerIds, concurrency, async (sellerId) => {
      const handle = client.workflow.getHandle(payoutWorkflowId(sellerId, day.date));
      const d = await handle.describe().catch(() => undefined);
      if (!d) return void violations.push(`${handle.workflowId}: no such workflow`);
      maxPayout = Math.max(maxPayout, d.historyLength);
      const mine = activityAttempts(await handle.fetchHistory());
      for (const a of mine) {
        const t = (attempts[a.type] ??= { max: 0, retried: 0 });
        t.max = Math.max(t.max, a.attempt);
        if (a.attempt > 1) t.retried += 1;
      }
      if (!failsOnce.has(sellerId)) return;
      const sends = mine.filter((a) => a.type === 'sendPayout').map((a) => a.attempt);
      if (sends.length > 0 && sends.every((n) => n >= 2)) retriedTransfers += 1;
      else violations.push(`${sellerId}: bank call attempts ${JSON.stringify(sends)}, expected a retry after the lost answer`);
    });
    const runIds: string[] = [];
    for (const until = Date.now() + 15_000; ; await sleep(500)) {
      runIds.length = 0;
      let terminated = false;
      for await (const w of client.workflow.list({ query: `WorkflowId = "${calendarId}"` })) {
        runIds.push(w.runId);
        terminated ||= w.status.name === 'TERMINATED';
      }
      if (terminated || Date.now() > until) break;
    }
    let maxCalendar = 0;
    for (const runId of runIds) maxCalendar = Math.max(maxCalendar, (await client.workflow.getHandle(calendarId, runId).describe()).historyLength);
    if (maxCalendar >= 10_000 || maxPayout >= 10_000) violations.push(`history of 10,000 events or more: calendar ${maxCalendar}, payout ${maxPayout}`);

    const checking = Date.now();
    const books = await checkLedger(sys.db);
    const booksSeconds = (Date.now() - checking) / 1000;
    violations.push(...books.violations.slice(0, 100));
    log(`[payout-day] books checked: ${books.transfers} transfers, ${books.violations.length} violations (${booksSeconds.toFixed(1)} s)`);

    return {
      sellers: opts.sellers,
      lines: seeded.lines,
      refunds: seeded.refunds,
      payouts,
      failsOnceSellers: seeded.failsOnce.length,
      day,
      seed: { seconds: round1(seedSeconds), transfers: seeded.transfers, transfersPerSecond: Math.round(seeded.transfers / seedSeconds) },
      payoutDaySeconds: round1(payoutDaySeconds),
      payoutsPerSecond: round1(payouts / payoutDaySeconds),
      ledger: { transfersWritten, transfersPerSecond: round1(transfersWritten / payoutDaySeconds) },
      workerKills,
      killedAtSettled,
      memory: memoryPeaks,
      paid: verified.payouts,
      bankTransfers: verified.bank,
      retriedTransfers,
      activityAttempts: attempts,
      calendarRuns: runIds.length,
      maxHistoryLength: { calendar: maxCalendar, payout: maxPayout },
      books: { transfers: books.transfers, seconds: round1(booksSeconds) },
      violations,
    };
  } finally {
    if (calendarStarted) await client.workflow.getHandle(calendarId).terminate('payout-day benchmark stopped').catch(() => undefined);
    await connection.close();
    await sys.stop(violations.length > 0);
  }
}
