// SUB-2 through the workflow: the due dates a running subscription actually renews on, for
// anchors on the 15th, 29th, 30th, 31st and on 29 February (monthly and annual), over 14 months.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dueDates } from '../domain/calendar';
import { DEMO } from '../prisma/demo-data';
import { DAY, seedPaidLine, startSubscription, waitState, type SeededLine } from './support/subscriptions';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const TZ = 'Europe/Paris';
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(TZ);
const localDay = (iso: string) => local(iso).toISODate();

async function startAt(localDateTime: string, offerId: string = DEMO.offers.acmeMail.id): Promise<SeededLine> {
  const at = DateTime.fromISO(localDateTime, { zone: TZ }).toUTC().toISO()!;
  const ms = Date.parse(at) - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
  const line = await seedPaidLine(sys, { paidAt: new Date(await env.currentTimeMs()).toISOString(), offerId });
  await startSubscription(env.client, sys, line);
  return line;
}

describe('renewal calendar', () => {
  it('SUB-2: anchors on the 15th, 29th, 30th, 31st and 29 Feb renew on the expected days over 14 months', async () => {
    const on15 = await startAt('2028-01-15T10:00:00');
    const on29 = await startAt('2028-01-29T10:00:00');
    const on30 = await startAt('2028-01-30T10:00:00');
    const on31 = await startAt('2028-01-31T10:00:00');
    const leapMonthly = await startAt('2028-02-29T10:00:00');
    const leapAnnual = await startAt('2028-02-29T10:00:00', DEMO.offers.globexBackup.id);

    const end = Date.parse(leapMonthly.paidAt) + 430 * DAY; // past 14 months after the last anchor
    await env.sleep(end - (await env.currentTimeMs()));

    const periodEnds = async (line: SeededLine, count: number) => {
      const s = await waitState(env.client, line.lineId, (x) => x.paidPeriods >= count + 1, `${line.lineId} renewed ${count} times`);
      const ends = s.periods.filter((p) => p.n <= count).map((p) => p.end);
      // Every period starts where the previous one ended, on the calendar's due dates.
      expect(ends).toEqual(dueDates(line.paidAt, s.billingPeriod, count, TZ));
      expect(ends.every((e) => local(e).toFormat('HH:mm') === '10:00')).toBe(true);
      return ends.map(localDay);
    };

    expect(await periodEnds(on15, 14)).toEqual([
      '2028-02-15', '2028-03-15', '2028-04-15', '2028-05-15', '2028-06-15', '2028-07-15', '2028-08-15',
      '2028-09-15', '2028-10-15', '2028-11-15', '2028-12-15', '2029-01-15', '2029-02-15', '2029-03-15',
    ]);
    expect((await periodEnds(on29, 14)).slice(0, 2).concat((await periodEnds(on29, 14)).slice(12))).toEqual([
      '2028-02-29', '2028-03-29', '2029-02-28', '2029-03-29',
    ]);
    const e30 = await periodEnds(on30, 14);
    expect([e30[0], e30[1], e30[12], e30[13]]).toEqual(['2028-02-29', '2028-03-30', '2029-02-28', '2029-03-30']);
    expect(await periodEnds(on31, 14)).toEqual([
      '2028-02-29', '2028-03-31', '2028-04-30', '2028-05-31', '2028-06-30', '2028-07-31', '2028-08-31',
      '2028-09-30', '2028-10-31', '2028-11-30', '2028-12-31', '2029-01-31', '2029-02-28', '2029-03-31',
    ]);
    const eLeap = await periodEnds(leapMonthly, 14);
    expect([eLeap[0], eLeap[10], eLeap[11], eLeap[12], eLeap[13]]).toEqual(['2028-03-29', '2029-01-29', '2029-02-28', '2029-03-29', '2029-04-29']);
    expect(await periodEnds(leapAnnual, 1)).toEqual(['2029-02-28']);
    const annual = await waitState(env.client, leapAnnual.lineId, () => true);
    expect(localDay(annual.nextDueAt!)).toBe('2030-02-28');
  });
});
