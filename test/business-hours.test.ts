// POL-5 first-response clock: French public holidays and business-hours arithmetic (Europe/Paris,
// Monday-Friday 09:00-18:00 local, holidays excluded; premium 24/7). Expected instants are written
// out literally in UTC; the holiday list is cross-checked against the date-holidays package, and
// the arithmetic against a brute-force oracle built on Intl (not luxon) and the literal lists.
import { describe, it, expect } from 'vitest';
import Holidays from 'date-holidays';
import { easterSunday, frenchPublicHolidays, isFrenchPublicHoliday } from '../domain/french-holidays';
import {
  ALWAYS,
  BUSINESS_HOURS,
  addWorkingMs,
  isWorkingTime,
  nextWorkingInstant,
  workingMsBetween,
  type BusinessSchedule,
} from '../domain/business-hours';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const HOLIDAYS_2026 = [
  '2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25',
  '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25',
];
const HOLIDAYS_2027 = [
  '2027-01-01', '2027-03-29', '2027-05-01', '2027-05-06', '2027-05-08', '2027-05-17',
  '2027-07-14', '2027-08-15', '2027-11-01', '2027-11-11', '2027-12-25',
];

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (s: string): number => Date.parse(s);

describe('POL-5: French public holidays', () => {
  it('POL-5: Easter Sunday by the Gregorian computus, including the earliest and latest dates', () => {
    expect(easterSunday(2026)).toEqual({ year: 2026, month: 4, day: 5 });
    expect(easterSunday(2027)).toEqual({ year: 2027, month: 3, day: 28 });
    expect(easterSunday(2024)).toEqual({ year: 2024, month: 3, day: 31 });
    expect(easterSunday(2025)).toEqual({ year: 2025, month: 4, day: 20 });
    expect(easterSunday(2038)).toEqual({ year: 2038, month: 4, day: 25 }); // latest possible
    expect(easterSunday(2285)).toEqual({ year: 2285, month: 3, day: 22 }); // earliest possible
    expect(() => easterSunday(2026.5)).toThrow(RangeError);
    expect(() => easterSunday(1000)).toThrow(RangeError);
  });

  it('POL-5: the 11 holidays of 2026 and 2027, sorted, with names', () => {
    expect(frenchPublicHolidays(2026).map((h) => h.date)).toEqual(HOLIDAYS_2026);
    expect(frenchPublicHolidays(2027).map((h) => h.date)).toEqual(HOLIDAYS_2027);
    const y2026 = Object.fromEntries(frenchPublicHolidays(2026).map((h) => [h.name, h.date]));
    expect(y2026['Lundi de Pâques']).toBe('2026-04-06');
    expect(y2026['Ascension']).toBe('2026-05-14');
    expect(y2026['Lundi de Pentecôte']).toBe('2026-05-25');
  });

  it('POL-5: a year where Ascension falls on 1 May still lists 11 entries, sorted', () => {
    // Easter 2008 was 23 March, so Ascension (Easter + 39) was 1 May.
    const list = frenchPublicHolidays(2008);
    expect(list).toHaveLength(11);
    expect(list.filter((h) => h.date === '2008-05-01').map((h) => h.name).sort()).toEqual(['Ascension', 'Fête du Travail']);
    const dates = list.map((h) => h.date);
    expect([...dates].sort()).toEqual(dates);
  });

  it('POL-5: agrees with date-holidays (FR, type public) for 2000..2060', () => {
    // date-holidays 3.37 lists Easter Sunday and Pentecost Sunday as type 'observance', not
    // 'public', and adds other observances (Mother's Day, ...); its 'public' days for FR are
    // exactly the 11 legal holidays. We compare sets of calendar days (its `date` is local
    // 'yyyy-MM-dd 00:00:00'), so a year where Ascension coincides with 1 May compares as 10 days
    // on both sides.
    const hd = new Holidays('FR');
    for (let year = 2000; year <= 2060; year++) {
      const theirs = new Set(hd.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
      const ours = new Set(frenchPublicHolidays(year).map((h) => h.date));
      expect([...ours].sort(), `year ${year}`).toEqual([...theirs].sort());
    }
  });

  it('POL-5: isFrenchPublicHoliday on calendar days, RangeError on malformed ones', () => {
    expect(isFrenchPublicHoliday('2026-11-11')).toBe(true);
    expect(isFrenchPublicHoliday('2027-03-29')).toBe(true);
    expect(isFrenchPublicHoliday('2026-11-12')).toBe(false);
    expect(isFrenchPublicHoliday('2026-04-05')).toBe(false); // Easter Sunday is a Sunday, not a holiday
    expect(isFrenchPublicHoliday('2026-12-26')).toBe(false); // Alsace-Moselle only
    expect(() => isFrenchPublicHoliday('2026-02-30')).toThrow(RangeError);
    expect(() => isFrenchPublicHoliday('2026-1-01')).toThrow(RangeError);
    expect(() => isFrenchPublicHoliday('2026-11-11T00:00:00Z')).toThrow(RangeError);
  });
});

describe('POL-5: first-response clock in business hours', () => {
  it('POL-5: opened Friday 17:00 Paris with a 4-hour target is due Monday 12:00 Paris', () => {
    // Fri 4 Dec 2026 17:00 CET = 16:00Z: 1 h on Friday, 3 h on Monday 7 Dec from 09:00.
    expect(addWorkingMs('2026-12-04T16:00:00.000Z', 4 * HOUR, BUSINESS_HOURS)).toBe('2026-12-07T11:00:00.000Z');
    expect(workingMsBetween('2026-12-04T16:00:00.000Z', '2026-12-07T11:00:00.000Z', BUSINESS_HOURS)).toBe(4 * HOUR);
    // Input offsets are honoured, output is UTC.
    expect(addWorkingMs('2026-12-04T17:00:00+01:00', 4 * HOUR, BUSINESS_HOURS)).toBe('2026-12-07T11:00:00.000Z');
  });

  it('POL-5: a public holiday is skipped (Tue 10 Nov 2026 16:00 + 4 h -> Thu 12 Nov 11:00, 11 Nov off)', () => {
    expect(addWorkingMs('2026-11-10T15:00:00.000Z', 4 * HOUR, BUSINESS_HOURS)).toBe('2026-11-12T10:00:00.000Z');
    expect(workingMsBetween('2026-11-10T15:00:00.000Z', '2026-11-12T10:00:00.000Z', BUSINESS_HOURS)).toBe(4 * HOUR);
    expect(workingMsBetween('2026-11-10T23:00:00.000Z', '2026-11-11T23:00:00.000Z', BUSINESS_HOURS)).toBe(0);
  });

  it('POL-5: Christmas and New Year: holidays and the weekend after them are skipped', () => {
    // Thu 24 Dec 2026 17:00 + 4 h: 1 h on Thursday, Fri 25 Dec off, weekend, Mon 28 Dec 12:00.
    expect(addWorkingMs('2026-12-24T16:00:00.000Z', 4 * HOUR, BUSINESS_HOURS)).toBe('2026-12-28T11:00:00.000Z');
    // Thu 31 Dec 2026 16:00 + 9 h: 2 h on Thursday, Fri 1 Jan off, weekend, Mon 4 Jan 2027 16:00.
    expect(addWorkingMs('2026-12-31T15:00:00.000Z', 9 * HOUR, BUSINESS_HOURS)).toBe('2027-01-04T15:00:00.000Z');
    // 24 Dec 09:00 -> 4 Jan 09:00: working days 24, 28, 29, 30, 31 Dec, 9 h each.
    expect(workingMsBetween('2026-12-24T08:00:00.000Z', '2027-01-04T08:00:00.000Z', BUSINESS_HOURS)).toBe(45 * HOUR);
  });

  it('POL-5: a total that ends exactly at closing is due at 18:00, not at the next opening', () => {
    expect(addWorkingMs('2026-12-04T16:00:00.000Z', 1 * HOUR, BUSINESS_HOURS)).toBe('2026-12-04T17:00:00.000Z');
    expect(addWorkingMs('2026-12-04T16:00:00.000Z', 1 * HOUR + 1, BUSINESS_HOURS)).toBe('2026-12-07T08:00:00.001Z');
    // A whole working day from an opening ends at that day's closing.
    expect(addWorkingMs('2026-12-07T08:00:00.000Z', 9 * HOUR, BUSINESS_HOURS)).toBe('2026-12-07T17:00:00.000Z');
    // Starting before opening counts from the opening.
    expect(addWorkingMs('2026-12-07T05:00:00.000Z', 30 * MINUTE, BUSINESS_HOURS)).toBe('2026-12-07T08:30:00.000Z');
  });

  it('POL-5: a zero target is met at the start, even outside working time', () => {
    expect(addWorkingMs('2026-12-05T09:00:00.000Z', 0, BUSINESS_HOURS)).toBe('2026-12-05T09:00:00.000Z'); // Saturday
    expect(addWorkingMs('2026-12-07T10:15:00.000Z', 0, BUSINESS_HOURS)).toBe('2026-12-07T10:15:00.000Z');
  });

  it('POL-5: a whole year 2026 is 252 working days of 9 hours (261 weekdays, 9 holidays on weekdays)', () => {
    // Paris midnight to Paris midnight; 15 Aug and 1 Nov 2026 fall on a weekend.
    expect(workingMsBetween('2025-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z', BUSINESS_HOURS)).toBe(252 * 9 * HOUR);
    expect(addWorkingMs('2025-12-31T23:00:00.000Z', 252 * 9 * HOUR, BUSINESS_HOURS)).toBe('2026-12-31T17:00:00.000Z');
  });

  it('POL-5: DST weekends keep 09:00-18:00 local (last Sundays of March and October 2026)', () => {
    // Spring: Fri 27 Mar is CET (08:00Z-17:00Z), Mon 30 Mar is CEST (07:00Z-16:00Z).
    expect(addWorkingMs('2026-03-27T16:00:00.000Z', 4 * HOUR, BUSINESS_HOURS)).toBe('2026-03-30T10:00:00.000Z');
    expect(nextWorkingInstant('2026-03-28T12:00:00.000Z', BUSINESS_HOURS)).toBe('2026-03-30T07:00:00.000Z');
    expect(isWorkingTime('2026-03-30T06:59:59.999Z', BUSINESS_HOURS)).toBe(false);
    expect(isWorkingTime('2026-03-30T07:00:00.000Z', BUSINESS_HOURS)).toBe(true);
    expect(isWorkingTime('2026-03-30T15:59:59.999Z', BUSINESS_HOURS)).toBe(true);
    expect(isWorkingTime('2026-03-30T16:00:00.000Z', BUSINESS_HOURS)).toBe(false);
    expect(workingMsBetween('2026-03-27T00:00:00.000Z', '2026-03-30T23:00:00.000Z', BUSINESS_HOURS)).toBe(18 * HOUR);
    // Autumn: Fri 23 Oct is CEST (07:00Z-16:00Z), Mon 26 Oct is CET (08:00Z-17:00Z).
    expect(addWorkingMs('2026-10-23T15:00:00.000Z', 4 * HOUR, BUSINESS_HOURS)).toBe('2026-10-26T11:00:00.000Z');
    expect(nextWorkingInstant('2026-10-25T01:30:00.000Z', BUSINESS_HOURS)).toBe('2026-10-26T08:00:00.000Z');
    expect(isWorkingTime('2026-10-26T07:59:59.999Z', BUSINESS_HOURS)).toBe(false);
    expect(isWorkingTime('2026-10-26T16:59:59.999Z', BUSINESS_HOURS)).toBe(true);
    expect(workingMsBetween('2026-10-23T00:00:00.000Z', '2026-10-26T23:00:00.000Z', BUSINESS_HOURS)).toBe(18 * HOUR);
  });

  it('POL-5: nextWorkingInstant on Saturday, a holiday Monday, at 18:00, at 08:59 and at 09:00', () => {
    expect(nextWorkingInstant('2026-12-05T09:00:00.000Z', BUSINESS_HOURS)).toBe('2026-12-07T08:00:00.000Z'); // Sat 10:00
    expect(nextWorkingInstant('2026-04-04T08:00:00.000Z', BUSINESS_HOURS)).toBe('2026-04-07T07:00:00.000Z'); // Sat before Easter Monday
    expect(nextWorkingInstant('2026-04-06T08:00:00.000Z', BUSINESS_HOURS)).toBe('2026-04-07T07:00:00.000Z'); // Easter Monday 10:00
    expect(nextWorkingInstant('2026-12-08T17:00:00.000Z', BUSINESS_HOURS)).toBe('2026-12-09T08:00:00.000Z'); // Tue 18:00
    expect(nextWorkingInstant('2026-12-04T17:00:00.000Z', BUSINESS_HOURS)).toBe('2026-12-07T08:00:00.000Z'); // Fri 18:00
    expect(nextWorkingInstant('2026-12-08T07:59:00.000Z', BUSINESS_HOURS)).toBe('2026-12-08T08:00:00.000Z'); // 08:59
    expect(nextWorkingInstant('2026-12-08T08:00:00.000Z', BUSINESS_HOURS)).toBe('2026-12-08T08:00:00.000Z'); // 09:00
    expect(nextWorkingInstant('2026-12-08T12:34:56.789Z', BUSINESS_HOURS)).toBe('2026-12-08T12:34:56.789Z');
  });

  it('POL-5: isWorkingTime is [09:00, 18:00) on working days only', () => {
    expect(isWorkingTime('2026-12-08T08:00:00.000Z', BUSINESS_HOURS)).toBe(true);
    expect(isWorkingTime('2026-12-08T07:59:59.999Z', BUSINESS_HOURS)).toBe(false);
    expect(isWorkingTime('2026-12-08T16:59:59.999Z', BUSINESS_HOURS)).toBe(true);
    expect(isWorkingTime('2026-12-08T17:00:00.000Z', BUSINESS_HOURS)).toBe(false);
    expect(isWorkingTime('2026-12-05T10:00:00.000Z', BUSINESS_HOURS)).toBe(false); // Saturday
    expect(isWorkingTime('2026-11-11T10:00:00.000Z', BUSINESS_HOURS)).toBe(false); // Armistice
  });

  it('POL-5: addWorkingMs and workingMsBetween are inverse on pseudo-random samples', () => {
    const rnd = prng(0x5eed);
    const from = ms('2025-06-01T00:00:00Z');
    const span = ms('2028-06-01T00:00:00Z') - from;
    for (let i = 0; i < 300; i++) {
      const start = iso(from + Math.floor(rnd() * span));
      const duration = Math.floor(rnd() * 120 * HOUR); // up to ~3 working weeks
      const due = addWorkingMs(start, duration, BUSINESS_HOURS);
      expect(workingMsBetween(start, due, BUSINESS_HOURS), `${start} + ${duration}`).toBe(duration);
      if (duration > 0) {
        // Earliest such instant: one millisecond earlier, one millisecond is still missing.
        expect(workingMsBetween(start, iso(ms(due) - 1), BUSINESS_HOURS), `${start} + ${duration}`).toBe(duration - 1);
      }
      // The other way round: the working time of any span, added back, stops no later than its end
      // and leaves no working time before it.
      const end = iso(ms(start) + Math.floor(rnd() * 21 * 24 * HOUR));
      const worked = workingMsBetween(start, end, BUSINESS_HOURS);
      const back = addWorkingMs(start, worked, BUSINESS_HOURS);
      expect(ms(back)).toBeLessThanOrEqual(ms(end));
      expect(workingMsBetween(back, end, BUSINESS_HOURS), `${start} -> ${end}`).toBe(0);
    }
  });

  it('POL-5: workingMsBetween matches a brute-force Intl oracle over quarter hours (2026-2027)', () => {
    // Independent of luxon: Paris weekday and hour from Intl, holidays from the literal lists.
    const holidays = new Set([...HOLIDAYS_2026, ...HOLIDAYS_2027]);
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', weekday: 'short', hourCycle: 'h23',
    });
    const worksAt = (t: number): boolean => {
      const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
      const hour = Number(p.hour);
      return !['Sat', 'Sun'].includes(p.weekday) && !holidays.has(`${p.year}-${p.month}-${p.day}`) && hour >= 9 && hour < 18;
    };
    const QUARTER = 15 * MINUTE; // Paris offsets are whole hours: quarters never straddle 09:00/18:00
    const rnd = prng(42);
    const from = ms('2026-01-01T00:00:00Z') / QUARTER;
    const quarters = (ms('2027-12-20T00:00:00Z') - ms('2026-01-01T00:00:00Z')) / QUARTER;
    for (let i = 0; i < 80; i++) {
      const a = (from + Math.floor(rnd() * quarters)) * QUARTER;
      const b = a + Math.floor(rnd() * 5 * 96) * QUARTER; // up to 5 days
      let expected = 0;
      for (let t = a; t < b; t += QUARTER) if (worksAt(t)) expected += QUARTER;
      expect(workingMsBetween(iso(a), iso(b), BUSINESS_HOURS), `${iso(a)} -> ${iso(b)}`).toBe(expected);
      expect(isWorkingTime(iso(a), BUSINESS_HOURS), iso(a)).toBe(worksAt(a));
    }
  });

  it('POL-5: ALWAYS (premium, 24/7) is plain arithmetic', () => {
    expect(isWorkingTime('2026-12-05T03:00:00.000Z', ALWAYS)).toBe(true);
    expect(addWorkingMs('2026-12-04T16:00:00.000Z', 4 * HOUR, ALWAYS)).toBe('2026-12-04T20:00:00.000Z');
    expect(addWorkingMs('2026-12-24T16:00:00+00:00', 48 * HOUR, ALWAYS)).toBe('2026-12-26T16:00:00.000Z');
    expect(workingMsBetween('2026-12-04T16:00:00.000Z', '2026-12-07T11:00:00.000Z', ALWAYS)).toBe(67 * HOUR);
    expect(workingMsBetween('2026-12-07T11:00:00.000Z', '2026-12-04T16:00:00.000Z', ALWAYS)).toBe(0);
    expect(nextWorkingInstant('2026-12-05T09:00:00Z', ALWAYS)).toBe('2026-12-05T09:00:00.000Z');
  });

  it('POL-5: other schedules: the defaults are Paris 09-18, and a 24-hour weekday schedule in UTC', () => {
    const defaults: BusinessSchedule = { kind: 'business_hours' };
    expect(addWorkingMs('2026-12-04T16:00:00.000Z', 4 * HOUR, defaults)).toBe('2026-12-07T11:00:00.000Z');
    const weekdaysUtc: BusinessSchedule = { kind: 'business_hours', zone: 'UTC', opensAt: 0, closesAt: 24 };
    expect(workingMsBetween('2026-12-04T00:00:00.000Z', '2026-12-08T00:00:00.000Z', weekdaysUtc)).toBe(48 * HOUR);
    expect(addWorkingMs('2026-12-04T12:00:00.000Z', 12 * HOUR, weekdaysUtc)).toBe('2026-12-05T00:00:00.000Z');
    expect(addWorkingMs('2026-12-04T12:00:00.000Z', 12 * HOUR + 1, weekdaysUtc)).toBe('2026-12-07T00:00:00.001Z');
  });

  it('POL-5: invalid input is a RangeError, never a runaway loop', () => {
    expect(() => addWorkingMs('2026-12-04T16:00:00.000Z', -1, BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => addWorkingMs('2026-12-04T16:00:00.000Z', Number.NaN, BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => addWorkingMs('2026-12-04T16:00:00.000Z', Number.POSITIVE_INFINITY, ALWAYS)).toThrow(RangeError);
    expect(() => addWorkingMs('2026-12-04T16:00:00.000Z', 0.5, BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => addWorkingMs('not a date', HOUR, BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => workingMsBetween('2026-12-04', 'tomorrow', BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => isWorkingTime('2026-13-01T00:00:00Z', BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => nextWorkingInstant('', BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => isWorkingTime('2026-12-04T16:00:00Z', { kind: 'business_hours', zone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => isWorkingTime('2026-12-04T16:00:00Z', { kind: 'business_hours', opensAt: 18, closesAt: 9 })).toThrow(RangeError);
    expect(() => isWorkingTime('2026-12-04T16:00:00Z', { kind: 'never' } as unknown as BusinessSchedule)).toThrow(RangeError);
    // Targets and spans beyond ten years are refused rather than walked for ever: at once when
    // the elapsed time alone exceeds the bound, after the bounded day loop otherwise.
    expect(() => addWorkingMs('2026-12-04T16:00:00.000Z', Number.MAX_SAFE_INTEGER, BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => addWorkingMs('2026-12-04T16:00:00.000Z', 5 * 365 * 24 * HOUR, BUSINESS_HOURS)).toThrow(RangeError);
    expect(() => workingMsBetween('2026-01-01T00:00:00Z', '2037-01-01T00:00:00Z', BUSINESS_HOURS)).toThrow(RangeError);
  });
});
