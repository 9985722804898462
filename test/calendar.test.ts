// SUB-2 renewal calendar. Expected values are written out literally; the property tests check the
// results with an oracle independent of luxon (Intl for the local calendar fields in Paris, Date.UTC
// for month lengths).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { dueDate, dueDates, periodIndexAt, type BillingPeriod } from '../domain/calendar';

const PARIS = 'Europe/Paris';

const parisFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: PARIS,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});

interface Local {
  y: number;
  m: number;
  d: number;
  hour: number;
  minute: number;
  second: number;
  weekday: string;
  date: string; // YYYY-MM-DD
  time: string; // HH:mm
}

/** Local calendar fields of an instant in Paris (Intl, not luxon). */
function paris(iso: string): Local {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad ISO in test: ${iso}`);
  const parts = Object.fromEntries(parisFormat.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const y = Number(parts.year);
  const m = Number(parts.month);
  const d = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const pad = (x: number) => String(x).padStart(2, '0');
  return {
    y,
    m,
    d,
    hour,
    minute,
    second: Number(parts.second),
    weekday: String(parts.weekday),
    date: `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`,
    time: `${pad(hour)}:${pad(minute)}`,
  };
}

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * The only allowed change of local wall time in Paris: the anchor's 02:xx does not exist on the
 * due day (last Sunday of March, DST gap) and is shifted forward to 03:xx.
 */
function sameWallTimeOrGapShift(anchor: Local, due: Local): boolean {
  if (due.time === anchor.time && due.second === anchor.second) return true;
  return (
    anchor.hour === 2 &&
    due.hour === 3 &&
    due.minute === anchor.minute &&
    due.second === anchor.second &&
    due.m === 3 &&
    due.weekday === 'Sun' &&
    due.d >= 25
  );
}

describe('SUB-2 renewal due dates (Europe/Paris)', () => {
  // Anchors at 10:00 Paris time (09:00Z in winter).
  const monthly: Array<{ name: string; anchor: string; expected: string[] }> = [
    {
      name: 'anchor on the 15th (15 Jan 2027)',
      anchor: '2027-01-15T09:00:00.000Z',
      expected: [
        '2027-02-15', '2027-03-15', '2027-04-15', '2027-05-15', '2027-06-15', '2027-07-15', '2027-08-15',
        '2027-09-15', '2027-10-15', '2027-11-15', '2027-12-15', '2028-01-15', '2028-02-15', '2028-03-15',
      ],
    },
    {
      name: 'anchor on the 29th (29 Jan 2027)',
      anchor: '2027-01-29T09:00:00.000Z',
      expected: [
        '2027-02-28', '2027-03-29', '2027-04-29', '2027-05-29', '2027-06-29', '2027-07-29', '2027-08-29',
        '2027-09-29', '2027-10-29', '2027-11-29', '2027-12-29', '2028-01-29', '2028-02-29', '2028-03-29',
      ],
    },
    {
      name: 'anchor on the 30th (30 Jan 2027)',
      anchor: '2027-01-30T09:00:00.000Z',
      expected: [
        '2027-02-28', '2027-03-30', '2027-04-30', '2027-05-30', '2027-06-30', '2027-07-30', '2027-08-30',
        '2027-09-30', '2027-10-30', '2027-11-30', '2027-12-30', '2028-01-30', '2028-02-29', '2028-03-30',
      ],
    },
    {
      name: 'anchor on the 31st (31 Jan 2027)',
      anchor: '2027-01-31T09:00:00.000Z',
      expected: [
        '2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31', '2027-06-30', '2027-07-31', '2027-08-31',
        '2027-09-30', '2027-10-31', '2027-11-30', '2027-12-31', '2028-01-31', '2028-02-29', '2028-03-31',
      ],
    },
    {
      name: 'anchor on 29 Feb 2028 (leap year)',
      anchor: '2028-02-29T09:00:00.000Z',
      expected: [
        '2028-03-29', '2028-04-29', '2028-05-29', '2028-06-29', '2028-07-29', '2028-08-29', '2028-09-29',
        '2028-10-29', '2028-11-29', '2028-12-29', '2029-01-29', '2029-02-28', '2029-03-29', '2029-04-29',
      ],
    },
  ];

  const annual: Array<{ name: string; anchor: string; expected: string[] }> = [
    {
      name: 'anchor on the 15th (15 Jan 2027)',
      anchor: '2027-01-15T09:00:00.000Z',
      expected: ['2028-01-15', '2029-01-15', '2030-01-15', '2031-01-15', '2032-01-15', '2033-01-15', '2034-01-15', '2035-01-15', '2036-01-15'],
    },
    {
      name: 'anchor on the 29th (29 Jan 2027)',
      anchor: '2027-01-29T09:00:00.000Z',
      expected: ['2028-01-29', '2029-01-29', '2030-01-29', '2031-01-29', '2032-01-29', '2033-01-29', '2034-01-29', '2035-01-29', '2036-01-29'],
    },
    {
      name: 'anchor on the 30th (30 Jan 2027)',
      anchor: '2027-01-30T09:00:00.000Z',
      expected: ['2028-01-30', '2029-01-30', '2030-01-30', '2031-01-30', '2032-01-30', '2033-01-30', '2034-01-30', '2035-01-30', '2036-01-30'],
    },
    {
      name: 'anchor on the 31st (31 Jan 2027)',
      anchor: '2027-01-31T09:00:00.000Z',
      expected: ['2028-01-31', '2029-01-31', '2030-01-31', '2031-01-31', '2032-01-31', '2033-01-31', '2034-01-31', '2035-01-31', '2036-01-31'],
    },
    {
      name: 'anchor on 29 Feb 2028: 28 Feb in non-leap years, 29 Feb in leap years',
      anchor: '2028-02-29T09:00:00.000Z',
      expected: ['2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29', '2033-02-28', '2034-02-28', '2035-02-28', '2036-02-29', '2037-02-28'],
    },
  ];

  const tables: Array<[BillingPeriod, typeof monthly]> = [
    ['monthly', monthly],
    ['annual', annual],
  ];

  for (const [period, rows] of tables) {
    for (const row of rows) {
      it(`SUB-2: ${period}, ${row.name}: due dates are ${row.expected[0]} ... ${row.expected[row.expected.length - 1]}`, () => {
        const got = dueDates(row.anchor, period, row.expected.length, PARIS);
        expect(got.map((iso) => paris(iso).date)).toEqual(row.expected);
        // Local time of day (10:00) is kept in winter and summer time.
        expect(got.map((iso) => paris(iso).time)).toEqual(row.expected.map(() => '10:00'));
        // Each due date is computed alone from the anchor, same result as the list.
        got.forEach((iso, i) => expect(dueDate(row.anchor, period, i + 1, PARIS)).toBe(iso));
        // UTC ISO strings.
        for (const iso of got) expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      });
    }
  }

  it('SUB-2: a clamped month returns to the anchor day afterwards (31 Jan -> 28 Feb -> 31 Mar), exact UTC instants', () => {
    expect(dueDates('2027-01-31T09:00:00.000Z', 'monthly', 3, PARIS)).toEqual([
      '2027-02-28T09:00:00.000Z', // 10:00 CET
      '2027-03-31T08:00:00.000Z', // 10:00 CEST (summer time since 28 March)
      '2027-04-30T08:00:00.000Z',
    ]);
  });

  it('SUB-2: DST, an anchor at 23:30 Paris keeps the local day and 23:30 through summer time', () => {
    // 15 Jan 2027 23:30 CET. Adding months in UTC would land on the 16th at 00:30 in summer.
    const got = dueDates('2027-01-15T22:30:00.000Z', 'monthly', 12, PARIS);
    expect(got).toEqual([
      '2027-02-15T22:30:00.000Z',
      '2027-03-15T22:30:00.000Z',
      '2027-04-15T21:30:00.000Z',
      '2027-05-15T21:30:00.000Z',
      '2027-06-15T21:30:00.000Z',
      '2027-07-15T21:30:00.000Z',
      '2027-08-15T21:30:00.000Z',
      '2027-09-15T21:30:00.000Z',
      '2027-10-15T21:30:00.000Z',
      '2027-11-15T22:30:00.000Z',
      '2027-12-15T22:30:00.000Z',
      '2028-01-15T22:30:00.000Z',
    ]);
    for (const iso of got) {
      expect(paris(iso).d).toBe(15);
      expect(paris(iso).time).toBe('23:30');
    }
  });

  it('SUB-2: DST, an anchor at 02:30 Paris due on the spring-forward Sunday stays on that day (gap: shifted to 03:30), then 02:30 again', () => {
    // 28 Feb 2027 02:30 CET; 28 March 2027 is the last Sunday of March: 02:00-02:59 does not exist.
    const got = dueDates('2027-02-28T01:30:00.000Z', 'monthly', 3, PARIS);
    expect(got).toEqual(['2027-03-28T01:30:00.000Z', '2027-04-28T00:30:00.000Z', '2027-05-28T00:30:00.000Z']);
    expect(got.map((iso) => `${paris(iso).date} ${paris(iso).time}`)).toEqual([
      '2027-03-28 03:30',
      '2027-04-28 02:30',
      '2027-05-28 02:30',
    ]);
  });

  it('SUB-2: DST, an anchor at 02:30 Paris due on the fall-back Sunday keeps 02:30 on that day', () => {
    // 31 Oct 2027 is the last Sunday of October: 02:30 happens twice; either instant is on the day.
    for (const anchor of ['2027-01-31T01:30:00.000Z', '2027-08-31T00:30:00.000Z']) {
      const a = paris(anchor);
      const n = 10 - a.m; // months from the anchor month (January or August) to October
      const due = dueDate(anchor, 'monthly', n, PARIS);
      expect(['2027-10-31T00:30:00.000Z', '2027-10-31T01:30:00.000Z']).toContain(due);
      expect(`${paris(due).date} ${paris(due).time}`).toBe('2027-10-31 02:30');
      expect(paris(dueDate(anchor, 'monthly', n + 1, PARIS)).date).toBe('2027-11-30');
    }
  });

  it('SUB-2: the day of month is taken in the business zone, not in UTC (anchor 00:30 Paris = previous day UTC)', () => {
    // 31 Jan 2027 00:30 in Paris is 30 Jan 23:30 UTC.
    const anchor = '2027-01-30T23:30:00.000Z';
    const got = dueDates(anchor, 'monthly', 4, PARIS);
    expect(got).toEqual([
      '2027-02-27T23:30:00.000Z',
      '2027-03-30T22:30:00.000Z',
      '2027-04-29T22:30:00.000Z',
      '2027-05-30T22:30:00.000Z',
    ]);
    expect(got.map((iso) => paris(iso).date)).toEqual(['2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31']);
    expect(got.map((iso) => paris(iso).time)).toEqual(['00:30', '00:30', '00:30', '00:30']);
    expect(dueDate(anchor, 'annual', 1, PARIS)).toBe('2028-01-30T23:30:00.000Z'); // 31 Jan 2028 00:30
    // The zone is a parameter: in UTC the same instant is anchored on the 30th.
    expect(dueDates(anchor, 'monthly', 2, 'UTC')).toEqual(['2027-02-28T23:30:00.000Z', '2027-03-30T23:30:00.000Z']);
  });

  it('SUB-2: an anchor written with an offset is the same instant', () => {
    expect(dueDate('2027-01-31T00:30:00+01:00', 'monthly', 2, PARIS)).toBe('2027-03-30T22:30:00.000Z');
  });

  it('SUB-2: invalid inputs throw a RangeError', () => {
    const ok = '2027-01-15T09:00:00.000Z';
    expect(() => dueDate('not-a-date', 'monthly', 1, PARIS)).toThrow(RangeError);
    expect(() => dueDate('2027-02-30T09:00:00Z', 'monthly', 1, PARIS)).toThrow(RangeError);
    expect(() => dueDate('', 'monthly', 1, PARIS)).toThrow(RangeError);
    expect(() => dueDate(ok, 'monthly', 1, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => dueDate(ok, 'monthly', 1, 'local')).toThrow(RangeError); // host-dependent zone
    expect(() => dueDate(ok, 'weekly' as BillingPeriod, 1, PARIS)).toThrow(RangeError);
    for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => dueDate(ok, 'monthly', n, PARIS)).toThrow(RangeError);
    }
    expect(() => dueDates(ok, 'annual', -1, PARIS)).toThrow(RangeError);
    expect(() => dueDates(ok, 'annual', 2.5, PARIS)).toThrow(RangeError);
    expect(dueDates(ok, 'annual', 0, PARIS)).toEqual([]);
    expect(() => periodIndexAt(ok, 'monthly', 'yesterday', PARIS)).toThrow(RangeError);
    expect(() => periodIndexAt('nope', 'monthly', ok, PARIS)).toThrow(RangeError);
    expect(() => periodIndexAt(ok, 'monthly', ok, 'Nowhere/Land')).toThrow(RangeError);
  });
});

describe('SUB-2 periodIndexAt: number of due dates <= an instant', () => {
  it('SUB-2: monthly, 1 ms before a due date and exactly at it', () => {
    const anchor = '2027-01-31T09:00:00.000Z';
    expect(periodIndexAt(anchor, 'monthly', '2020-01-01T00:00:00.000Z', PARIS)).toBe(0);
    expect(periodIndexAt(anchor, 'monthly', anchor, PARIS)).toBe(0);
    expect(periodIndexAt(anchor, 'monthly', '2027-02-28T08:59:59.999Z', PARIS)).toBe(0);
    expect(periodIndexAt(anchor, 'monthly', '2027-02-28T09:00:00.000Z', PARIS)).toBe(1);
    expect(periodIndexAt(anchor, 'monthly', '2027-02-28T10:00:00+01:00', PARIS)).toBe(1);
    expect(periodIndexAt(anchor, 'monthly', '2027-03-31T07:59:59.999Z', PARIS)).toBe(1);
    expect(periodIndexAt(anchor, 'monthly', '2027-03-31T08:00:00.000Z', PARIS)).toBe(2);
    expect(periodIndexAt(anchor, 'monthly', '2028-01-31T09:00:00.000Z', PARIS)).toBe(12);
    expect(periodIndexAt(anchor, 'monthly', '2028-02-29T08:59:59.999Z', PARIS)).toBe(12);
    expect(periodIndexAt(anchor, 'monthly', '2028-02-29T09:00:00.000Z', PARIS)).toBe(13);
  });

  it('SUB-2: annual from 29 Feb, 1 ms before a due date and exactly at it', () => {
    const anchor = '2028-02-29T09:00:00.000Z';
    expect(periodIndexAt(anchor, 'annual', '2029-02-28T08:59:59.999Z', PARIS)).toBe(0);
    expect(periodIndexAt(anchor, 'annual', '2029-02-28T09:00:00.000Z', PARIS)).toBe(1);
    expect(periodIndexAt(anchor, 'annual', '2029-03-01T09:00:00.000Z', PARIS)).toBe(1);
    expect(periodIndexAt(anchor, 'annual', '2032-02-29T08:59:59.999Z', PARIS)).toBe(3);
    expect(periodIndexAt(anchor, 'annual', '2032-02-29T09:00:00.000Z', PARIS)).toBe(4);
  });

  it('SUB-2: 00:30 Paris anchor, boundary at the local due date (not the UTC day)', () => {
    const anchor = '2027-01-30T23:30:00.000Z'; // 31 Jan 00:30 Paris
    expect(periodIndexAt(anchor, 'monthly', '2027-03-30T22:29:59.999Z', PARIS)).toBe(1);
    expect(periodIndexAt(anchor, 'monthly', '2027-03-30T22:30:00.000Z', PARIS)).toBe(2);
  });
});

describe('SUB-2 properties (fast-check, Europe/Paris)', () => {
  const MIN_MINUTE = Date.UTC(2000, 0, 1) / 60_000;
  const MAX_MINUTE = Date.UTC(2100, 11, 31, 12, 0) / 60_000;
  const anchorArb = fc
    .integer({ min: MIN_MINUTE, max: MAX_MINUTE })
    .map((minute) => new Date(minute * 60_000).toISOString());
  const periodArb = fc.constantFrom<BillingPeriod>('monthly', 'annual');
  const RUNS = { numRuns: 200 };

  it('SUB-2: due dates are strictly increasing, for both periods', () => {
    fc.assert(
      fc.property(anchorArb, periodArb, (anchor, period) => {
        const got = dueDates(anchor, period, period === 'monthly' ? 30 : 12, PARIS);
        let prev = Date.parse(anchor);
        for (const iso of got) {
          const t = Date.parse(iso);
          expect(t).toBeGreaterThan(prev);
          prev = t;
        }
      }),
      RUNS,
    );
  });

  it('SUB-2: monthly due dates fall in consecutive months on min(anchor day, last day of month), at the anchor wall time', () => {
    fc.assert(
      fc.property(anchorArb, (anchor) => {
        const a = paris(anchor);
        const got = dueDates(anchor, 'monthly', 30, PARIS);
        got.forEach((iso, i) => {
          const n = i + 1;
          const l = paris(iso);
          // consecutive calendar months: never skips or repeats a month
          expect(l.y * 12 + (l.m - 1)).toBe(a.y * 12 + (a.m - 1) + n);
          expect(l.d).toBe(Math.min(a.d, daysInMonth(l.y, l.m)));
          expect(sameWallTimeOrGapShift(a, l)).toBe(true);
        });
      }),
      RUNS,
    );
  });

  it('SUB-2: annual due dates fall in consecutive years on the anniversary (29 Feb -> 28 Feb in non-leap years)', () => {
    fc.assert(
      fc.property(anchorArb, (anchor) => {
        const a = paris(anchor);
        const got = dueDates(anchor, 'annual', 12, PARIS);
        got.forEach((iso, i) => {
          const l = paris(iso);
          expect(l.y).toBe(a.y + i + 1);
          expect(l.m).toBe(a.m);
          expect(l.d).toBe(Math.min(a.d, daysInMonth(l.y, l.m)));
          expect(sameWallTimeOrGapShift(a, l)).toBe(true);
        });
      }),
      RUNS,
    );
  });

  it('SUB-2: periodIndexAt is n exactly at the n-th due date and n-1 one millisecond before', () => {
    fc.assert(
      fc.property(anchorArb, periodArb, fc.integer({ min: 1, max: 40 }), (anchor, period, n) => {
        const due = dueDate(anchor, period, n, PARIS);
        const before = new Date(Date.parse(due) - 1).toISOString();
        expect(periodIndexAt(anchor, period, due, PARIS)).toBe(n);
        expect(periodIndexAt(anchor, period, before, PARIS)).toBe(n - 1);
      }),
      RUNS,
    );
  });
});
