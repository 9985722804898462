// POL-5 (support tiers) on the time-skipping server: the yearly quota and its reset on the
// anniversary, unlimited premium, named contacts, who sees which ticket, idempotent opening,
// and the first-response clock in business hours (Europe/Paris, French holidays) across a weekend
// and a public holiday, paused until an incident's consent, with customer e-mails of
// business-hours tiers held until the office opens.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketIdOf } from '../api/ticket-opening';
import { BUSINESS_HOURS, addWorkingMs, nextWorkingInstant } from '../domain/business-hours';
import { frenchPublicHolidays, isFrenchPublicHoliday, type PublicHoliday } from '../domain/french-holidays';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { emailDeliveryWorkflowId } from '../workflows/email-delivery';
import { ticketStateQuery, ticketWorkflowId, type TicketState } from '../workflows/ticket';
import { useTestSystem } from './support/environments';
import { eventually, http, type HttpResponse } from './support/http';
import { emailSent } from './support/orders';
import { DAY, HOUR, MINUTE, waitState } from './support/subscriptions';
import { openTicketAs, openTicketBody, supportedService, ticketCommand, waitTicket, type SupportedService } from './support/tickets';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

// The API runs in this process and reads the wall clock (`new Date()`: the ticket row's openedAt,
// the quota's subscription year), while workflows read the time-skipping server's clock. In
// production they are one clock; here the process's Date follows the server's, re-read after
// every skip (sleepUntil), so that a year skipped is a year for the API too.
const RealDate = Date;
let skewMs = 0;
function followServerClock(): void {
  const ServerDate = function (this: unknown, ...args: unknown[]) {
    if (!new.target) return new RealDate(RealDate.now() + skewMs).toString();
    return args.length === 0 ? new RealDate(RealDate.now() + skewMs) : new (RealDate as new (...a: unknown[]) => Date)(...args);
  } as unknown as DateConstructor;
  Object.setPrototypeOf(ServerDate, RealDate); // parse, UTC
  // The same prototype: `instanceof Date` holds for dates made before and after.
  Object.defineProperty(ServerDate, 'prototype', { value: RealDate.prototype });
  ServerDate.now = () => RealDate.now() + skewMs;
  globalThis.Date = ServerDate;
}
async function syncClock(): Promise<void> {
  skewMs = (await env.currentTimeMs()) - RealDate.now();
}
beforeAll(async () => {
  followServerClock();
  await syncClock();
});
afterAll(() => {
  globalThis.Date = RealDate;
});

const ZONE = 'Europe/Paris';
const paris = (at: number | string): DateTime => (typeof at === 'string' ? DateTime.fromISO(at, { zone: 'utc' }) : DateTime.fromMillis(at)).setZone(ZONE);
const isWorkingDay = (d: DateTime): boolean => d.weekday <= 5 && !isFrenchPublicHoliday(d.toFormat('yyyy-MM-dd'));

/** Skips the server's clock to `atMs` (never back), then the process's clock follows. */
async function sleepUntil(atMs: number): Promise<void> {
  const ms = atMs - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
  await syncClock();
}

/** The first `hour`:00 Paris, at least 10 minutes ahead of `fromMs`, on a day `accept` takes. */
function nextParisTime(fromMs: number, hour: number, accept: (day: DateTime) => boolean): DateTime {
  let day = paris(fromMs).startOf('day');
  for (let i = 0; i < 800; i++, day = day.plus({ days: 1 })) {
    const at = day.set({ hour });
    if (at.toMillis() > fromMs + 10 * MINUTE && accept(at)) return at;
  }
  throw new Error(`no such day after ${paris(fromMs).toISO()}`);
}

/** The nearest public holiday on a weekday (one on a weekend changes no working time), opened 16:00 on the working day before. */
function holidayCase(fromMs: number): { holiday: PublicHoliday; openAt: DateTime } {
  const year = paris(fromMs).year;
  for (const holiday of [...frenchPublicHolidays(year), ...frenchPublicHolidays(year + 1)]) {
    const day = DateTime.fromISO(holiday.date, { zone: ZONE });
    if (day.weekday > 5) continue;
    let before = day.minus({ days: 1 });
    while (!isWorkingDay(before)) before = before.minus({ days: 1 });
    const openAt = before.set({ hour: 16 });
    if (openAt.toMillis() > fromMs + 10 * MINUTE) return { holiday, openAt };
  }
  throw new Error('no holiday ahead');
}

const service = async (offerId: string): Promise<SupportedService> =>
  supportedService(env.client, sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId });
const openRaw = (s: SupportedService, kind: 'incident' | 'support', extra: Record<string, unknown> = {}, key = s.customerKey): Promise<HttpResponse> =>
  http(sys.apiUrl, 'POST', '/tickets', { key, body: openTicketBody(s, kind, extra) });
const addContact = (s: SupportedService, name: string): Promise<HttpResponse> =>
  http(sys.apiUrl, 'POST', `/subscriptions/${s.lineId}/support-contacts`, { key: s.customerKey, body: { name, email: `${name.toLowerCase()}-${s.lineId}@example.test` } });
async function supportOf(s: SupportedService): Promise<any> {
  const res = await http(sys.apiUrl, 'GET', `/subscriptions/${s.lineId}/support`, { key: s.customerKey });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
async function ticketView(ticketId: string, key: string): Promise<any> {
  const res = await http(sys.apiUrl, 'GET', `/tickets/${ticketId}`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
const stateOf = (ticketId: string): Promise<TicketState> => env.client.workflow.getHandle(ticketWorkflowId(ticketId)).query(ticketStateQuery);
const fieldsOf = (res: HttpResponse): string[] => (res.body?.errors ?? []).map((e: { field: string }) => e.field);

/** POL-5: the ops alert is not written one minute before `alertAt`, and is just after. */
async function expectOpsAlertAt(ticketId: string, alertAt: string): Promise<void> {
  const key = `ticket:${ticketId}:ops-alert`;
  await sleepUntil(Date.parse(alertAt) - MINUTE);
  expect(await sys.db.email.findUnique({ where: { id: key } })).toBeNull();
  expect((await stateOf(ticketId)).firstResponse.alertedAt).toBeNull();
  await sleepUntil(Date.parse(alertAt) + MINUTE);
  const alerted = await waitTicket(env.client, ticketId, (x) => x.firstResponse.alertedAt !== null, 'ops alerted');
  expect(Date.parse(alerted.firstResponse.alertedAt!)).toBeGreaterThanOrEqual(Date.parse(alertAt));
  expect(Date.parse(alerted.firstResponse.alertedAt!)).toBeLessThanOrEqual(Date.parse(alertAt) + MINUTE);
  const mail = await eventually(() => sys.db.email.findUnique({ where: { id: key } }).then((m) => m ?? undefined), 20_000, `e-mail ${key}`);
  expect(mail.toAddress).toBe(sys.activityDeps.opsAlertAddress);
  expect(mail.text).toContain(ticketId);
}

describe('support tiers (POL-5)', () => {
  it('POL-5: premium (globexBackup) has no ticket quota: 12 tickets open, the quota shows no limit', async () => {
    const s = await service(DEMO.offers.globexBackup.id);
    for (let i = 0; i < 12; i++) {
      const t = await openTicketAs(sys, s, 'support');
      expect(t.tier).toBe('premium');
      expect(t.status).toBe('awaiting_support');
    }
    const support = await supportOf(s);
    expect(support.tier).toBe('premium');
    expect(support.hours).toBe('always');
    expect(support.quota).toMatchObject({ limit: null, used: 12, remaining: null });
    expect(await sys.db.ticket.count({ where: { subscriptionId: s.lineId } })).toBe(12);
  });

  it('POL-5: named contacts: basic allows 1, standard 3; only a current named contact of that subscription opens tickets', async () => {
    const basic = await service(DEMO.offers.acmeMail.id);
    const second = await addContact(basic, 'Second');
    expect(second.status, JSON.stringify(second.body)).toBe(422);
    expect(second.body).toMatchObject({ reason: 'ContactsExhausted', rule: 'POL-5', limit: 1 });

    const standard = await service(DEMO.offers.acmeCrm.id);
    for (const name of ['Two', 'Three']) {
      const added = await addContact(standard, name);
      expect(added.status, JSON.stringify(added.body)).toBe(201);
    }
    const fourth = await addContact(standard, 'Four');
    expect(fourth.status, JSON.stringify(fourth.body)).toBe(422);
    expect(fourth.body).toMatchObject({ reason: 'ContactsExhausted', rule: 'POL-5', limit: 3 });
    const standardSupport = await supportOf(standard);
    expect(standardSupport.contactsAllowed).toBe(3);
    expect(standardSupport.contacts).toHaveLength(3);

    // Another subscription's named contact, or no contact at all, is not one of this subscription's.
    for (const contactId of [standard.contactId, `con_${randomUUID()}`]) {
      const refused = await openRaw(basic, 'support', { contactId });
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.rule).toBe('POL-5');
      expect(fieldsOf(refused)).toEqual(['body.contactId']);
    }

    // A removed contact opens no more; its place can be given to someone else.
    const removed = await http(sys.apiUrl, 'POST', `/subscriptions/${basic.lineId}/support-contacts/${basic.contactId}/remove`, { key: basic.customerKey, body: {} });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.contacts).toEqual([]);
    const byRemoved = await openRaw(basic, 'support');
    expect(byRemoved.status, JSON.stringify(byRemoved.body)).toBe(422);
    expect(fieldsOf(byRemoved)).toEqual(['body.contactId']);
    expect(await sys.db.ticket.count({ where: { subscriptionId: basic.lineId } })).toBe(0);
    const replacement = await addContact(basic, 'Replacement');
    expect(replacement.status, JSON.stringify(replacement.body)).toBe(201);
    const opened = await openRaw(basic, 'support', { contactId: replacement.body.contactId });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  });

  it("X-6: a customer cannot open a ticket on another customer's service; a seller lists only support tickets on its own offers; customers never see staff names", async () => {
    const acme = await service(DEMO.offers.acmeMail.id);
    const intruder = await service(DEMO.offers.acmeMail.id);
    const globex = await service(DEMO.offers.globexBackup.id);

    const body = openTicketBody(acme, 'support');
    const foreign = await http(sys.apiUrl, 'POST', '/tickets', { key: intruder.customerKey, body });
    expect(foreign.status, JSON.stringify(foreign.body)).toBe(403);
    expect(await sys.db.ticket.findUnique({ where: { id: ticketIdOf(intruder.customerId, body.requestId) } })).toBeNull();
    expect(await sys.db.ticket.count({ where: { OR: [{ customerId: intruder.customerId }, { subscriptionId: acme.lineId }] } })).toBe(0);

    const support = await openTicketAs(sys, acme, 'support');
    const incident = await openTicketAs(sys, acme, 'incident');
    const other = await openTicketAs(sys, globex, 'support');
    const listOf = async (key: string): Promise<any[]> => {
      const res = await http(sys.apiUrl, 'GET', '/seller/tickets?limit=100', { key });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items;
    };
    const acmeList = await listOf(DEMO_KEYS.sellerAcme);
    const acmeIds = acmeList.map((t) => t.ticketId);
    expect(acmeIds).toContain(support.ticketId);
    expect(acmeIds).not.toContain(incident.ticketId);
    expect(acmeIds).not.toContain(other.ticketId);
    expect(acmeList.every((t) => t.sellerId === DEMO.sellers.acme.id && t.kind === 'support')).toBe(true);
    const globexIds = (await listOf(DEMO_KEYS.sellerGlobex)).map((t) => t.ticketId);
    expect(globexIds).toContain(other.ticketId);
    expect(globexIds).not.toContain(support.ticketId);
    // The same rule on one ticket: the incident is the marketplace's, Globex's ticket is not Acme's.
    expect((await http(sys.apiUrl, 'GET', `/tickets/${support.ticketId}`, { key: DEMO_KEYS.sellerAcme })).status).toBe(200);
    expect((await http(sys.apiUrl, 'GET', `/tickets/${incident.ticketId}`, { key: DEMO_KEYS.sellerAcme })).status).toBe(403);
    expect((await http(sys.apiUrl, 'GET', `/tickets/${other.ticketId}`, { key: DEMO_KEYS.sellerAcme })).status).toBe(403);

    const reply = await ticketCommand(sys, support.ticketId, 'messages', { text: 'Here is how to set it up.' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const messagesAs = async (key: string): Promise<any> => {
      const res = await http(sys.apiUrl, 'GET', `/tickets/${support.ticketId}/messages`, { key });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const seenByCustomer = await messagesAs(acme.customerKey);
    expect(seenByCustomer.items.map((m: any) => m.author).sort()).toEqual([`customer:${acme.customerId}`, 'support'].sort());
    expect(JSON.stringify(seenByCustomer)).not.toContain(DEMO.staff.support.label);
    const seenByStaff = await messagesAs(DEMO_KEYS.support);
    expect(seenByStaff.items.map((m: any) => m.author)).toContain(`staff:${DEMO.staff.support.label}`);
  });

  it('DIA-1 / POL-5: the same requestId opens one ticket, counted once in the quota; reused for another ticket it is refused naming body.requestId', async () => {
    const s = await service(DEMO.offers.acmeMail.id);
    const body = openTicketBody(s, 'support');
    const first = await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.ticketId).toBe(first.body.ticketId);
    expect(again.body.openedAt).toBe(first.body.openedAt);
    expect(await sys.db.ticket.count({ where: { subscriptionId: s.lineId } })).toBe(1);
    expect(await sys.db.ticketMessage.count({ where: { ticketId: first.body.ticketId } })).toBe(1);
    expect((await supportOf(s)).quota).toMatchObject({ limit: 10, used: 1, remaining: 9 });

    const reused = await http(sys.apiUrl, 'POST', '/tickets', { key: s.customerKey, body: { ...body, subject: 'Another question' } });
    expect(reused.status, JSON.stringify(reused.body)).toBe(422);
    expect(fieldsOf(reused)).toEqual(['body.requestId']);
    expect(await sys.db.ticket.count({ where: { subscriptionId: s.lineId } })).toBe(1);
    expect((await supportOf(s)).quota.used).toBe(1);
  });

  it("POL-5: an incident's first-response clock is paused until the customer consents to the diagnostic, then runs", async () => {
    const s = await service(DEMO.offers.acmeMail.id);
    const t = await openTicketAs(sys, s, 'incident');
    expect(t.status).toBe('awaiting_consent');
    expect(t.firstResponse).toMatchObject({ running: false, dueAt: null, elapsedMinutes: 0, respondedAt: null });
    expect(t.firstResponse.pausedFor).toMatch(/consent/);
    const before = await stateOf(t.ticketId);
    expect(before.firstResponse.runningSince).toBeNull();
    expect(before.nextDeadline).toBeNull(); // no alert is scheduled while paused
    expect((await ticketView(t.ticketId, s.customerKey)).firstResponse.running).toBe(false);

    const consent = await ticketCommand(sys, t.ticketId, 'consent', { acceptedPriceCents: t.diagnostic.priceNowCents }, s.customerKey);
    expect(consent.status, JSON.stringify(consent.body)).toBe(200);
    expect(consent.body.firstResponse).toMatchObject({ running: true, pausedFor: null });
    const after = await stateOf(t.ticketId);
    expect(after.firstResponse.runningSince).toBe(after.consent!.at);
    // Basic: 16 business hours from the consent, not from the opening.
    expect(after.firstResponse.dueAt).toBe(addWorkingMs(after.consent!.at, 16 * HOUR, BUSINESS_HOURS));
    expect(after.nextDeadline?.rule).toBe('POL-5');
    expect((await ticketView(t.ticketId, DEMO_KEYS.support)).firstResponse.running).toBe(true);
  });

  it('POL-5: a standard ticket opened on Friday 17:00: the ops alert (6 of 8 business hours) and the due time fall on the next working day; an answer in time stops the clock, met', async () => {
    const s = await service(DEMO.offers.acmeCrm.id);
    const friday = nextParisTime(await env.currentTimeMs(), 17, (d) => d.weekday === 5 && isWorkingDay(d));
    await sleepUntil(friday.toMillis());
    const t = await openTicketAs(sys, s, 'support');
    expect(t.tier).toBe('standard');
    expect(t.firstResponse).toMatchObject({ hours: 'business_hours', targetHours: 8, running: true });
    expect(Date.parse(t.openedAt) - friday.toMillis()).toBeLessThan(MINUTE);
    const dueAt = addWorkingMs(t.openedAt, 8 * HOUR, BUSINESS_HOURS);
    const alertAt = addWorkingMs(t.openedAt, 6 * HOUR, BUSINESS_HOURS);
    expect(t.firstResponse.dueAt).toBe(dueAt);
    expect((await stateOf(t.ticketId)).firstResponse.dueAt).toBe(dueAt);
    // One working hour on Friday, the rest after the weekend: 14:00 and 16:00 on the next working day.
    const resumes = paris(nextWorkingInstant(friday.set({ hour: 18 }).toUTC().toISO()!, BUSINESS_HOURS));
    expect(resumes.weekday).not.toBeGreaterThan(5);
    expect(resumes.diff(friday, 'days').days).toBeGreaterThan(2);
    expect(paris(alertAt).toISODate()).toBe(resumes.toISODate());
    expect(paris(alertAt).hour).toBe(14);
    expect(paris(dueAt).toISODate()).toBe(resumes.toISODate());
    expect(paris(dueAt).hour).toBe(16);

    await expectOpsAlertAt(t.ticketId, alertAt);

    const answered = await ticketCommand(sys, t.ticketId, 'messages', { text: 'Here is the answer.' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body.firstResponse).toMatchObject({ running: false, met: true, dueAt: null });
    expect(answered.body.firstResponse.respondedAt).not.toBeNull();
    const view = await ticketView(t.ticketId, s.customerKey);
    expect(view.firstResponse).toMatchObject({ running: false, met: true, respondedAt: answered.body.firstResponse.respondedAt });
    const state = await stateOf(t.ticketId);
    expect(state.firstResponse.elapsedMs).toBeGreaterThan(6 * HOUR);
    expect(state.firstResponse.elapsedMs).toBeLessThan(8 * HOUR);
  });

  it('POL-5: no e-mail to a business-hours customer outside business hours: a basic ticket opened on Saturday is told at the next opening; a premium one at once', async () => {
    const basic = await service(DEMO.offers.acmeMail.id);
    const premium = await service(DEMO.offers.globexBackup.id);
    const saturday = nextParisTime(await env.currentTimeMs(), 10, (d) => d.weekday === 6);
    await sleepUntil(saturday.toMillis());
    const b = await openTicketAs(sys, basic, 'support');
    const p = await openTicketAs(sys, premium, 'support');

    // Premium answers 24/7: its e-mail goes out while the server's clock stands still.
    const premiumMail = await emailSent(sys.db, `ticket:${p.ticketId}:opened`);
    expect(premiumMail.email.toAddress).toBe(`contact-${premium.lineId}@example.test`);

    const key = `ticket:${b.ticketId}:opened`;
    const held = await eventually(() => sys.db.email.findUnique({ where: { id: key } }).then((m) => m ?? undefined), 20_000, `e-mail ${key}`);
    expect(held.status).toBe('queued');
    const delivery = env.client.workflow.getHandle(emailDeliveryWorkflowId(key));
    expect((await delivery.describe()).status.name).toBe('RUNNING');
    const opensAt = nextWorkingInstant(b.openedAt, BUSINESS_HOURS);
    expect(paris(opensAt).hour).toBe(9);
    expect(isWorkingDay(paris(opensAt))).toBe(true);
    expect(Date.parse(opensAt) - Date.parse(b.openedAt)).toBeGreaterThan(DAY);

    await sleepUntil(Date.parse(opensAt) - MINUTE);
    expect((await sys.db.email.findUniqueOrThrow({ where: { id: key } })).status).toBe('queued');
    expect(await sys.db.mailboxMessage.count({ where: { messageId: held.messageId } })).toBe(0);
    expect((await delivery.describe()).status.name).toBe('RUNNING');

    await sleepUntil(Date.parse(opensAt) + MINUTE);
    const sent = await emailSent(sys.db, key);
    expect(sent.received).toHaveLength(1);
    const done = await eventually(async () => {
      const d = await delivery.describe();
      return d.status.name === 'COMPLETED' ? d : undefined;
    }, 20_000, 'delivery completed');
    expect(done.closeTime!.getTime()).toBeGreaterThanOrEqual(Date.parse(opensAt));
  });

  it('POL-5: across a French public holiday: the alert and the due time skip the holiday; no answer by then misses the target, and a late answer stops the clock, not met', async () => {
    const s = await service(DEMO.offers.acmeCrm.id);
    const { holiday, openAt } = holidayCase(await env.currentTimeMs());
    await sleepUntil(openAt.toMillis());
    const t = await openTicketAs(sys, s, 'support');
    expect(Date.parse(t.openedAt) - openAt.toMillis()).toBeLessThan(MINUTE);
    const dueAt = addWorkingMs(t.openedAt, 8 * HOUR, BUSINESS_HOURS);
    const alertAt = addWorkingMs(t.openedAt, 6 * HOUR, BUSINESS_HOURS);
    expect(t.firstResponse.dueAt).toBe(dueAt);
    // Two working hours before the holiday, the rest on the first working day after it: 13:00 and 15:00.
    const resumes = paris(nextWorkingInstant(DateTime.fromISO(holiday.date, { zone: ZONE }).toUTC().toISO()!, BUSINESS_HOURS));
    expect(resumes.toISODate()! > holiday.date).toBe(true);
    expect(paris(alertAt).toISODate()).toBe(resumes.toISODate());
    expect(paris(alertAt).hour).toBe(13);
    expect(paris(dueAt).toISODate()).toBe(resumes.toISODate());
    expect(paris(dueAt).hour).toBe(15);

    await expectOpsAlertAt(t.ticketId, alertAt);

    await sleepUntil(Date.parse(dueAt) - MINUTE);
    expect((await stateOf(t.ticketId)).firstResponse.missedAt).toBeNull();
    await sleepUntil(Date.parse(dueAt) + MINUTE);
    const missed = await waitTicket(env.client, t.ticketId, (x) => x.firstResponse.missedAt !== null, 'target missed');
    expect(Date.parse(missed.firstResponse.missedAt!)).toBeGreaterThanOrEqual(Date.parse(dueAt));
    expect((await ticketView(t.ticketId, DEMO_KEYS.support)).firstResponse.remainingMinutes).toBeLessThan(0);

    const answered = await ticketCommand(sys, t.ticketId, 'messages', { text: 'Sorry for the wait.' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body.firstResponse).toMatchObject({ running: false, met: false });
    expect(answered.body.firstResponse.respondedAt).not.toBeNull();
    expect((await ticketView(t.ticketId, s.customerKey)).firstResponse).toMatchObject({ running: false, met: false });
  });

  it('POL-5: basic allows 10 tickets per subscription year: the 11th is refused with the reason until the first anniversary, then the quota resets', async () => {
    const s = await service(DEMO.offers.acmeMail.id);
    for (let i = 0; i < 10; i++) await openTicketAs(sys, s, 'support');
    const anniversary = paris(s.paidAt).plus({ years: 1 });

    const refused = await openRaw(s, 'support');
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body).toMatchObject({ reason: 'QuotaExhausted', rule: 'POL-5', used: 10, limit: 10 });
    expect(Date.parse(refused.body.resetsAt)).toBe(anniversary.toMillis());
    expect(await sys.db.ticket.count({ where: { subscriptionId: s.lineId } })).toBe(10);
    const full = await supportOf(s);
    expect(full.quota).toMatchObject({ limit: 10, used: 10, remaining: 0 });
    expect(Date.parse(full.quota.yearUntil)).toBe(anniversary.toMillis());

    // A year of monthly renewals (all paid on the success card); a minute before the anniversary it is still full.
    await sleepUntil(anniversary.toMillis() - MINUTE);
    const before = await waitState(env.client, s.lineId, (x) => x.paidPeriods >= 12, '12 paid periods', 60_000);
    expect(before.status).toBe('active');
    const stillRefused = await openRaw(s, 'support');
    expect(stillRefused.status, JSON.stringify(stillRefused.body)).toBe(422);
    expect(stillRefused.body.reason).toBe('QuotaExhausted');

    await sleepUntil(anniversary.toMillis() + MINUTE);
    const renewed = await waitState(env.client, s.lineId, (x) => x.paidPeriods >= 13, '13 paid periods', 60_000);
    expect(renewed.status).toBe('active');
    const reopened = await openRaw(s, 'support');
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(201);
    const reset = await supportOf(s);
    expect(reset.quota).toMatchObject({ limit: 10, used: 1, remaining: 9 });
    expect(Date.parse(reset.quota.yearFrom)).toBe(anniversary.toMillis());
  });
});
