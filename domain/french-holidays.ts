// French public holidays (SPEC POL-5). Why: a support ticket's first-response clock runs in
// business hours, which exclude the public holidays of metropolitan France. These are the 11
// legal holidays of the Code du travail (art. L3133-1), current rules applied to every year:
// 1 Jan, Easter Monday, 1 May, 8 May, Ascension (Easter + 39), Whit Monday (Easter + 50), 14 Jul,
// 15 Aug, 1 Nov, 11 Nov, 25 Dec. Alsace-Moselle's extra days (Good Friday, 26 Dec) are not
// included: the business calendar is the metropolitan one. Whit Monday stays a holiday even
// though many employers use it as the "journée de solidarité".
//
// Pure and deterministic: no clock, no I/O, only `luxon` (runs in Temporal workflow code).

import { DateTime } from 'luxon';

export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

export interface PublicHoliday {
  /** 'yyyy-MM-dd' (a calendar day, no time zone). */
  date: string;
  name: string;
}

// The Gregorian computus is defined from 1583 on; four-digit years keep 'yyyy-MM-dd' well formed.
const MIN_YEAR = 1583;
const MAX_YEAR = 9999;

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`year must be an integer in ${MIN_YEAR}..${MAX_YEAR}, got ${String(year)}`);
  }
}

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): CalendarDay {
  checkYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { year, month, day };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const ymd = (year: number, month: number, day: number): string => `${year}-${pad2(month)}-${pad2(day)}`;

function computeHolidays(year: number): PublicHoliday[] {
  const e = easterSunday(year);
  // Calendar-day arithmetic in UTC: no zone, so no DST to shift a day.
  const easter = DateTime.utc(e.year, e.month, e.day);
  const afterEaster = (days: number): string => easter.plus({ days }).toFormat('yyyy-MM-dd');
  const list: PublicHoliday[] = [
    { date: ymd(year, 1, 1), name: "Jour de l'an" },
    { date: afterEaster(1), name: 'Lundi de Pâques' },
    { date: ymd(year, 5, 1), name: 'Fête du Travail' },
    { date: ymd(year, 5, 8), name: 'Victoire 1945' },
    { date: afterEaster(39), name: 'Ascension' },
    { date: afterEaster(50), name: 'Lundi de Pentecôte' },
    { date: ymd(year, 7, 14), name: 'Fête nationale' },
    { date: ymd(year, 8, 15), name: 'Assomption' },
    { date: ymd(year, 11, 1), name: 'Toussaint' },
    { date: ymd(year, 11, 11), name: 'Armistice 1918' },
    { date: ymd(year, 12, 25), name: 'Noël' },
  ];
  // Ascension can fall on 1 May or 8 May (e.g. 2008: 1 May); the days stay distinct entries
  // with their own names, sorted by date (stable, so fixed-date holidays come first).
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

// Per-year memo: the values are a pure function of the year, so sharing them between workflow
// executions in one worker cannot break determinism; it keeps day-by-day loops cheap.
const byYear = new Map<number, { list: readonly PublicHoliday[]; days: ReadonlySet<string> }>();

function holidaysOf(year: number): { list: readonly PublicHoliday[]; days: ReadonlySet<string> } {
  let entry = byYear.get(year);
  if (!entry) {
    const list = computeHolidays(year);
    entry = { list, days: new Set(list.map((h) => h.date)) };
    byYear.set(year, entry);
  }
  return entry;
}

/** The 11 public holidays of `year`, sorted by date (a fresh array each call). */
export function frenchPublicHolidays(year: number): PublicHoliday[] {
  checkYear(year);
  return holidaysOf(year).list.map((h) => ({ ...h }));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Is this calendar day ('yyyy-MM-dd') a French public holiday? Throws RangeError if malformed. */
export function isFrenchPublicHoliday(isoDate: string): boolean {
  // Validated by hand rather than with DateTime.fromISO: business-hours calls this once per day.
  const m = typeof isoDate === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate) : null;
  if (!m) throw new RangeError(`expected a yyyy-MM-dd date, got ${JSON.stringify(isoDate)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`not a calendar date: ${JSON.stringify(isoDate)}`);
  }
  checkYear(year);
  return holidaysOf(year).days.has(isoDate);
}
