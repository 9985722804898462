// PYO-1 payouts on the time-skipping server, driven by the PayoutCalendar workflow: a payment is
// paid on the payout day its 21-day hold ends by, net of its fee and of a refund before release;
// a refund after the payout leaves a deficit that later payouts carry (payout 0, deficit shown)
// until captures cover it; a rejected bank transfer is voided, finance alerted, and paid on the
// next payout day once the bank details are right. Ledger moves are posted as the checkout and
// refund activities post them (activities/ledger.ts).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { linePosting, postBatch } from '../activities/ledger';
import { accounts, captureBatch, refundBatch } from '../domain/ledger';
import { paidOn, payoutDayFor, nextPayoutDay, releaseAt, type PayoutDay } from '../domain/payout-calendar';
import type { StatementContent } from '../domain/payout-statement';
import { statementFile } from '../activities/email-attachments';
import { createPayoutActivities } from '../activities/payouts';
import { TEST_IBANS } from '../infra/sandbox-payouts';
import { payoutCalendarWorkflow } from '../workflows/payout-calendar';
import { DEMO_KEYS } from '../prisma/demo-data';
import { useTestSystem } from './support/environments';
import { eventually, http } from './support/http';
import { freshSeller } from './support/sellers';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const PARIS = 'Europe/Paris';
const MINUTE = 60_000;

beforeAll(async () => {
  await env.client.workflow.start(payoutCalendarWorkflow, { workflowId: `PayoutCalendar-${randomUUID()}`, taskQueue: sys.taskQueue, args: [{}] });
});

async function sleepUntil(atMs: number): Promise<void> {
  const ms = atMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

async function payee(iban: string = TEST_IBANS.paid) {
  const s = await freshSeller(sys.db);
  await sys.db.payoutAccount.create({ data: { sellerId: s.sellerId, iban, holder: s.legalName } });
  return s;
}

/** A captured line of `amount` cents now (workflow time), posted as a checkout posts it. */
async function capture(sellerId: string, amount: number): Promise<{ paymentId: string; lineId: string; at: string }> {
  const u = randomUUID().slice(0, 8);
  const paymentId = `order:ord_py_${u}:checkout`;
  const lineId = `lin_py_${u}`;
  const at = new Date(await env.currentTimeMs()).toISOString();
  await sys.db.$transaction((tx) => postBatch(tx, `payment:${paymentId}:capture`, at, captureBatch({ paymentId, currency: 'EUR', feeRateBp: 300, lines: [{ lineId, sellerId, amount: BigInt(amount) }] })));
  return { paymentId, lineId, at };
}

async function refund(sellerId: string, line: { paymentId: string; lineId: string }, amount: number): Promise<void> {
  const refundId = `ref_py_${randomUUID().slice(0, 8)}`;
  await sys.db.$transaction(async (tx) => {
    const posted = await linePosting(tx, line.paymentId, line.lineId);
    await postBatch(tx, `refund:${refundId}`, new Date(await env.currentTimeMs()), refundBatch({ refundId, paymentId: line.paymentId, lineId: line.lineId, sellerId, currency: 'EUR', amount: BigInt(amount), posted }));
  });
}

const payoutOn = (sellerId: string, day: PayoutDay) => sys.db.payout.findUnique({ where: { id: `payout:${sellerId}:EUR:${day.date}` } });
/** Waits for the payout of that day to be decided and, if sent, settled. */
const settled = (sellerId: string, day: PayoutDay) =>
  eventually(async () => {
    const p = await payoutOn(sellerId, day);
    return p && p.status !== 'sending' ? p : undefined;
  }, 30_000, `payout of ${sellerId} on ${day.date}`);

async function balance(id: string): Promise<bigint> {
  const a = await sys.db.ledgerAccount.findUnique({ where: { id } });
  return a ? a.creditsPosted - a.debitsPosted : 0n;
}

describe('payouts (PYO-1)', () => {
  it('PYO-1, FEE-1: a capture is paid on the payout day its 21 days end by, once, net of its 3 % fee and of a refund before release; not before the end of that day', async () => {
    const s = await payee();
    const line = await capture(s.sellerId, 10_000);
    await refund(s.sellerId, line, 1_000); // before release: taken from what is held, 30 of fee given back
    const day = paidOn(line.at, PARIS);
    await sleepUntil(Date.parse(day.cutoff) - MINUTE);
    expect(await payoutOn(s.sellerId, day)).toBeNull();
    expect(await balance(accounts.sellerHeld(s.sellerId, 'EUR').id)).toBe(10_000n - 300n - 1_000n + 30n);
    await sleepUntil(Date.parse(day.cutoff) + 2 * MINUTE);
    const paid = await settled(s.sellerId, day);
    expect(paid).toMatchObject({ status: 'paid', amountCents: 8_730n, releasedCents: 8_730n, deficitInCents: 0n, deficitOutCents: 0n });
    expect(await sys.db.sandboxPayout.count({ where: { idempotencyKey: paid.id } })).toBe(1);
    expect([await balance(accounts.sellerHeld(s.sellerId, 'EUR').id), await balance(accounts.sellerAvailable(s.sellerId, 'EUR').id), await balance(accounts.sellerPaidOut(s.sellerId, 'EUR').id)]).toEqual([0n, 0n, 8_730n]);
    const mail = await eventually(async () => (await sys.db.email.findUnique({ where: { id: `${paid.id}:statement` } })) ?? undefined, 20_000, 'payout e-mail');
    expect(mail.toAddress).toBe(s.contactEmail);
    expect(mail.subject).toBe(`Payout statement of ${day.date} (EUR)`);
    expect(mail.text).toContain('paid 87.30 EUR to your bank account');
  }, 120_000);

  it('PYO-1, FEE-1: the statement lists the payment, its fee, the refund and the fee given back, this payout, and what is still held (held until X, paid on Y); opening + movements = closing; e-mailed as PDF and CSV, the same bytes as the download', async () => {
    const s = await payee();
    const line = await capture(s.sellerId, 10_000);
    await refund(s.sellerId, line, 1_000);
    const day = paidOn(line.at, PARIS);
    // Captured a day before the payout day: still held on it, paid on a later one.
    await sleepUntil(Date.parse(day.cutoff) - 24 * 60 * MINUTE);
    const later = await capture(s.sellerId, 2_000);
    await sleepUntil(Date.parse(day.cutoff) + 2 * MINUTE);
    const paid = await settled(s.sellerId, day);
    const st = await sys.db.payoutStatement.findUniqueOrThrow({ where: { payoutId: paid.id } });
    const content = st.content as unknown as StatementContent;
    expect(content.rows.map((r) => [r.kind, r.amountCents])).toEqual([['payment', 10_000], ['fee', -300], ['refund', -1_000], ['fee_reversal', 30], ['payout', -8_730]]);
    expect(content.rows.find((r) => r.kind === 'fee')!.description).toContain('at 3.00 %');
    expect([content.openingCents, content.closingCents, content.payoutCents, st.reconciled]).toEqual([0, 0, 8_730, true]);
    expect(content.openingCents + content.rows.reduce((sum, r) => sum + r.amountCents, 0)).toBe(content.closingCents);
    const heldUntil = releaseAt(later.at, PARIS);
    expect(content.held).toEqual([{ paymentId: later.paymentId, lineId: later.lineId, capturedAt: later.at, netCents: 1_940, heldUntil, paidOn: paidOn(later.at, PARIS).date }]);
    expect(paidOn(later.at, PARIS).date).not.toBe(day.date);
    const csv = (await statementFile(sys.db, paid.id, 'csv'))!.toString('utf8');
    expect(csv).toContain(`held,"Held until ${heldUntil}, paid on ${paidOn(later.at, PARIS).date}",${later.paymentId},${later.lineId},,19.40,EUR`);
    expect(csv.split('\r\n')[1]).toBe(`${day.date},opening_balance,Opening balance,,,,0.00,EUR`);
    const pdf = (await statementFile(sys.db, paid.id, 'pdf'))!;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await statementFile(sys.db, paid.id, 'pdf'))!.equals(pdf)).toBe(true);
    const received = await eventually(async () => (await sys.db.mailboxMessage.findFirst({ where: { toAddrs: s.contactEmail, subject: `Payout statement of ${day.date} (EUR)` } })) ?? undefined, 30_000, 'statement e-mail received');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(received.attachments).toEqual([
      { filename: `statement-${day.date}-EUR.pdf`, contentType: 'application/pdf', size: pdf.length, sha256: sha(pdf) },
      { filename: `statement-${day.date}-EUR.csv`, contentType: 'text/csv', size: Buffer.byteLength(csv), sha256: sha(Buffer.from(csv)) },
    ]);
  }, 120_000);

  it('PYO-1: a statement that does not reconcile with the ledger stops the payout: nothing reserved or sent, finance alerted; the seller is not told a wrong figure', async () => {
    const s = await payee();
    const line = await capture(s.sellerId, 10_000);
    const day = paidOn(line.at, PARIS);
    await sleepUntil(Date.parse(day.cutoff) - MINUTE);
    // The account's balance no longer matches its transfers (a broken write, a hand edit).
    const available = accounts.sellerAvailable(s.sellerId, 'EUR');
    await sys.db.$executeRaw`INSERT INTO "LedgerAccount" ("id", "kind", "currency", "sellerId", "creditsPosted") VALUES (${available.id}, ${available.kind}, 'EUR', ${s.sellerId}, 500)
      ON CONFLICT ("id") DO UPDATE SET "creditsPosted" = "LedgerAccount"."creditsPosted" + 500`;
    await sleepUntil(Date.parse(day.cutoff) + 2 * MINUTE);
    const stopped = await settled(s.sellerId, day);
    expect(stopped).toMatchObject({ status: 'stopped', amountCents: 0n });
    const st = await sys.db.payoutStatement.findUniqueOrThrow({ where: { payoutId: stopped.id } });
    expect([st.reconciled, st.openingCents + st.movementsCents, st.accountCents]).toEqual([false, 9_700n, 10_200n]);
    expect(await sys.db.sandboxPayout.count({ where: { idempotencyKey: stopped.id } })).toBe(0);
    expect((await sys.db.ledgerAccount.findUniqueOrThrow({ where: { id: accounts.sellerAvailable(s.sellerId, 'EUR').id } })).debitsPending).toBe(0n);
    const alert = await eventually(async () => (await sys.db.email.findUnique({ where: { id: `${stopped.id}:stopped` } })) ?? undefined, 20_000, 'finance alert');
    expect(alert.toAddress).toBe(sys.activityDeps.opsAlertAddress);
    expect(alert.text).toContain('opening 0 + movements 9700 ≠ the account\'s balance 10200');
    expect(await sys.db.email.findUnique({ where: { id: `${stopped.id}:statement` } })).toBeNull();
    expect(await sys.db.payoutStatementItem.count({ where: { payoutId: stopped.id } })).toBe(0);
  }, 120_000);

  it('PYO-1: a refund after the payout leaves a deficit: the next payouts are 0 with the deficit shown and carried, until captures cover it; then the payout is net of it', async () => {
    const s = await payee();
    const first = await capture(s.sellerId, 10_000);
    const day1 = paidOn(first.at, PARIS);
    await sleepUntil(Date.parse(day1.cutoff) + 2 * MINUTE);
    expect(await settled(s.sellerId, day1)).toMatchObject({ status: 'paid', amountCents: 9_700n });
    // After the payout: 60.00 refunded from the available balance, 1.80 of fee given back.
    await refund(s.sellerId, first, 6_000);
    expect(await balance(accounts.sellerAvailable(s.sellerId, 'EUR').id)).toBe(-5_820n);
    const small = await capture(s.sellerId, 2_000);
    const day2 = nextPayoutDay(day1, PARIS);
    await sleepUntil(Date.parse(day2.cutoff) + 2 * MINUTE);
    // Only the refund since: nothing to pay, the deficit shown.
    expect(await settled(s.sellerId, day2)).toMatchObject({ status: 'nothing_due', amountCents: 0n, deficitInCents: 0n, deficitOutCents: 5_820n });
    const daySmall = paidOn(small.at, PARIS);
    const big = await capture(s.sellerId, 10_000);
    await sleepUntil(Date.parse(daySmall.cutoff) + 2 * MINUTE);
    expect(await settled(s.sellerId, daySmall)).toMatchObject({ status: 'nothing_due', amountCents: 0n, releasedCents: 1_940n, deficitInCents: 5_820n, deficitOutCents: 3_880n });
    const dayBig = paidOn(big.at, PARIS);
    await sleepUntil(Date.parse(dayBig.cutoff) + 2 * MINUTE);
    expect(await settled(s.sellerId, dayBig)).toMatchObject({ status: 'paid', amountCents: 9_700n - 3_880n, deficitInCents: 3_880n, deficitOutCents: 0n });
    expect(await balance(accounts.sellerAvailable(s.sellerId, 'EUR').id)).toBe(0n);
  }, 180_000);

  it('PYO-1: a rejected bank transfer is voided and finance alerted; the amount stays available and is paid on the next payout day once the bank details are right', async () => {
    const s = await payee(TEST_IBANS.rejected);
    const line = await capture(s.sellerId, 5_000);
    const day = paidOn(line.at, PARIS);
    await sleepUntil(Date.parse(day.cutoff) + 2 * MINUTE);
    const rejected = await settled(s.sellerId, day);
    expect(rejected).toMatchObject({ status: 'rejected', amountCents: 4_850n, failure: 'account_closed: The beneficiary account is closed.' });
    expect(await balance(accounts.sellerAvailable(s.sellerId, 'EUR').id)).toBe(4_850n);
    const pending = await sys.db.ledgerAccount.findUniqueOrThrow({ where: { id: accounts.sellerAvailable(s.sellerId, 'EUR').id } });
    expect(pending.debitsPending).toBe(0n); // the reservation voided
    const alert = await eventually(async () => (await sys.db.email.findUnique({ where: { id: `${rejected.id}:rejected` } })) ?? undefined, 20_000, 'finance alert');
    expect(alert.toAddress).toBe(sys.activityDeps.opsAlertAddress);
    await sys.db.payoutAccount.update({ where: { sellerId: s.sellerId }, data: { iban: TEST_IBANS.failsOnce } });
    const next = nextPayoutDay(day, PARIS);
    await sleepUntil(Date.parse(next.cutoff) + 2 * MINUTE);
    // The bank's first answer is lost; the retry under the same key gets the same transfer back.
    expect(await settled(s.sellerId, next)).toMatchObject({ status: 'paid', amountCents: 4_850n, deficitOutCents: 0n });
    expect(await sys.db.sandboxPayout.count({ where: { idempotencyKey: `payout:${s.sellerId}:EUR:${next.date}` } })).toBe(1);
    expect(await balance(accounts.sellerPaidOut(s.sellerId, 'EUR').id)).toBe(4_850n);
  }, 180_000);

  it('PYO-2, X-6: a seller reads its own balance, payouts and statements (PDF and CSV, the e-mailed bytes), not another seller\'s; finance lists payouts per seller and exports the ledger as CSV over a date range', async () => {
    const s = await payee();
    const other = await payee();
    const line = await capture(s.sellerId, 10_000);
    const day = paidOn(line.at, PARIS);
    await sleepUntil(Date.parse(day.cutoff) - 24 * 60 * MINUTE);
    const held = await capture(s.sellerId, 2_000); // still held on the payout day
    await sleepUntil(Date.parse(day.cutoff) + 2 * MINUTE);
    const paid = await settled(s.sellerId, day);
    const path = `/payouts/${encodeURIComponent(paid.id)}`;

    const balance = await http(sys.apiUrl, 'GET', '/seller/balance', { key: s.key });
    expect(balance.status, JSON.stringify(balance.body)).toBe(200);
    // The API runs on the wall clock (the time-skipping server's time is ahead of it here).
    const next = payoutDayFor(new Date().toISOString(), PARIS);
    const nextPays = Date.parse(releaseAt(held.at, PARIS)) <= Date.parse(next.cutoff) ? 1_940 : 0;
    expect(balance.body).toEqual({ sellerId: s.sellerId, balances: [{ currency: 'EUR', heldCents: 1_940, availableCents: 0, reservedCents: 0, paidOutCents: 9_700, nextPayout: { date: next.date, cutoff: next.cutoff, amountCents: nextPays, deficitCents: 0 } }] });

    const mine = await http(sys.apiUrl, 'GET', '/seller/payouts', { key: s.key });
    expect(mine.body.items.map((p: any) => [p.payoutId, p.status, p.amountCents])).toEqual([[paid.id, 'paid', 9_700]]);
    expect((await http(sys.apiUrl, 'GET', '/seller/payouts', { key: other.key })).body.items).toEqual([]);
    const detail = await http(sys.apiUrl, 'GET', path, { key: s.key });
    expect(detail.status).toBe(200);
    expect(detail.body.statement.rows.map((r: any) => r.kind)).toEqual(['payment', 'fee', 'payout']);
    expect(detail.body).toMatchObject({ payoutId: paid.id, status: 'paid', amountCents: 9_700, statementPdf: `${path}/statement.pdf`, statement: { reconciled: true, openingCents: 0, closingCents: 0 } });
    expect(detail.body.statement.held).toEqual([expect.objectContaining({ paymentId: held.paymentId, netCents: 1_940 })]);
    expect((await http(sys.apiUrl, 'GET', path, { key: other.key })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `${path}/statement.pdf`, { key: other.key })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', path, { key: DEMO_KEYS.customer })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', '/finance/payouts')).status).toBe(401);

    for (const format of ['pdf', 'csv'] as const) {
      const res = await fetch(`${sys.apiUrl}${path}/statement.${format}`, { headers: { authorization: `Bearer ${s.key}` } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals((await statementFile(sys.db, paid.id, format))!)).toBe(true);
      const asFinance = await fetch(`${sys.apiUrl}${path}/statement.${format}`, { headers: { authorization: `Bearer ${DEMO_KEYS.finance}` } });
      expect(asFinance.status).toBe(200);
    }

    const perSeller = await http(sys.apiUrl, 'GET', `/finance/payouts?sellerId=${s.sellerId}`, { key: DEMO_KEYS.finance });
    expect(perSeller.body.items.map((p: any) => p.payoutId)).toEqual([paid.id]);
    const financeView = await http(sys.apiUrl, 'GET', path, { key: DEMO_KEYS.finance });
    expect(financeView.body.statement.rows.filter((r: any) => r.kind === 'payment').map((r: any) => r.paymentId)).toEqual([line.paymentId]);
    expect((await http(sys.apiUrl, 'GET', `/finance/sellers/${s.sellerId}/balance`, { key: DEMO_KEYS.finance })).body).toEqual(balance.body);
    expect((await http(sys.apiUrl, 'GET', '/finance/payouts', { key: s.key })).status).toBe(403);

    // The export: the range is [from, to); each transfer once, amounts in decimal.
    const exported = async (from: string, to: string) => {
      const csv = await http<string>(sys.apiUrl, 'GET', `/finance/ledger.csv?from=${from}&to=${to}`, { key: DEMO_KEYS.finance });
      expect(csv.status).toBe(200);
      expect(csv.contentType).toMatch(/^text\/csv/);
      const rows = csv.body.trimEnd().split('\r\n');
      expect(rows[0]).toBe('id,batchId,at,code,flags,pendingId,debitAccountId,creditAccountId,amount,currency,paymentId,refundId,sellerId,lineId,feeRateBp');
      return rows.slice(1).filter((r) => r.includes(s.sellerId)).map((r) => r.split(','));
    };
    const from = new Date(Date.parse(line.at) - 1).toISOString();
    const untilHeld = await exported(from, held.at);
    // (The payout's own transfers carry the activity's wall-clock time, behind the skipped test clock.)
    expect(untilHeld.filter((r) => r[3] === 'capture' || r[3] === 'fee').map((r) => [r[3], r[8], r[10]])).toEqual([['capture', '100.00', line.paymentId], ['fee', '3.00', line.paymentId]]);
    const all = await exported('2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z');
    expect(all.map((r) => r[3]).sort()).toEqual(['capture', 'capture', 'fee', 'fee', 'payout', 'payout', 'payout_settled', 'release']);
    expect(new Set(all.map((r) => r[0])).size).toBe(all.length);
    const wrong = await http(sys.apiUrl, 'GET', `/finance/ledger.csv?from=${held.at}&to=${from}`, { key: DEMO_KEYS.finance });
    expect([wrong.status, wrong.body.errors]).toEqual([400, [{ field: 'query.to', message: 'must be after from' }]]);
  }, 120_000);

  it('PYO-1: a seller states its bank account: a mistyped IBAN is refused naming body.iban, another holder 422; the account is answered masked, the change audited and e-mailed, and the next payout goes to it', async () => {
    const s = await freshSeller(sys.db);
    const state = (body: unknown) => http(sys.apiUrl, 'POST', '/seller/payout-account', { key: s.key, body });
    expect((await http(sys.apiUrl, 'GET', '/seller/payout-account', { key: s.key })).status).toBe(404);
    const typo = await state({ iban: TEST_IBANS.paid.replace(/^FR76/, 'FR77'), holder: s.legalName });
    expect([typo.status, typo.body.errors]).toEqual([400, [{ field: 'body.iban', message: 'fails its checksum (a mistyped character?)' }]]);
    const other = await state({ iban: TEST_IBANS.paid, holder: 'Someone Else SARL' });
    expect([other.status, other.body.errors]).toEqual([422, [{ field: 'body.holder', message: `must be ${s.legalName}` }]]);
    expect(await sys.db.payoutAccount.count({ where: { sellerId: s.sellerId } })).toBe(0);
    // Spaces and case as people type them; the holder's case and spacing are not a mismatch.
    const spaced = TEST_IBANS.paid.replace(/(.{4})/g, '$1 ').toLowerCase();
    const ok = await state({ iban: spaced, holder: `  ${s.legalName.toUpperCase()} ` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ sellerId: s.sellerId, iban: `${TEST_IBANS.paid.slice(0, 4)}${'•'.repeat(TEST_IBANS.paid.length - 8)}${TEST_IBANS.paid.slice(-4)}` });
    expect((await http(sys.apiUrl, 'GET', '/seller/payout-account', { key: s.key })).body).toEqual(ok.body);
    expect((await sys.db.payoutAccount.findUniqueOrThrow({ where: { sellerId: s.sellerId } })).iban).toBe(TEST_IBANS.paid);
    expect(await sys.db.auditLog.count({ where: { entityId: s.sellerId, action: 'payout_account.stated' } })).toBe(1);
    const told = await eventually(async () => (await sys.db.mailboxMessage.findFirst({ where: { toAddrs: s.contactEmail, subject: 'Your bank account for payouts changed' } })) ?? undefined, 20_000, 'change e-mail');
    expect(told.text).not.toContain(TEST_IBANS.paid);
    const line = await capture(s.sellerId, 5_000);
    const day = paidOn(line.at, PARIS);
    await sleepUntil(Date.parse(day.cutoff) + 2 * MINUTE);
    expect(await settled(s.sellerId, day)).toMatchObject({ status: 'paid', amountCents: 4_850n });
    expect((await sys.db.sandboxPayout.findUniqueOrThrow({ where: { idempotencyKey: `payout:${s.sellerId}:EUR:${day.date}` } })).iban).toBe(TEST_IBANS.paid);
  }, 120_000);

  it('PYO-1: a line refunded in full before its release nets nothing: its seller is no reason to run a payout on the day it would have been released, a partly refunded one is', async () => {
    const whole = await payee();
    const part = await payee();
    const a = await capture(whole.sellerId, 4_000);
    await refund(whole.sellerId, a, 4_000);
    const b = await capture(part.sellerId, 4_000);
    await refund(part.sellerId, b, 1_000);
    const day = paidOn(a.at, PARIS);
    const due = await createPayoutActivities(sys.activityDeps).sellersDueForPayout({ cutoff: day.cutoff, afterSellerId: null, limit: 10_000 });
    expect(due.sellerIds).toContain(part.sellerId);
    expect(due.sellerIds).not.toContain(whole.sellerId);
  });

  it('PYO-1: the calendar sleeps until the end of each payout day, 15th then 30th, February its last day', () => {
    const d = payoutDayFor('2028-02-01T12:00:00Z', PARIS);
    expect([d.date, nextPayoutDay(d, PARIS).date, nextPayoutDay(nextPayoutDay(d, PARIS), PARIS).date]).toEqual(['2028-02-15', '2028-02-29', '2028-03-15']);
  });
});
