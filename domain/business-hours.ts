// Business-hours arithmetic for support response targets (SPEC POL-5). Why: basic and standard
// tiers answer in business hours (Europe/Paris, Monday-Friday 09:00-18:00 wall-clock time, French
// public holidays excluded), so a target of "4 hours" opened on Friday at 17:00 is due on Monday at
// 12:00, not on Friday at 21:00. Premium answers 24/7 (`ALWAYS`: plain elapsed time).
//
// Model: each working day has one window [opening, closing) of local wall-clock time in the
// schedule's zone, so a DST change never moves 09:00 or 18:00. Days are walked as calendar dates
// (never by adding 24 h) and each window is resolved to instants by luxon in the zone. Holidays
// are always the French ones (the business calendar of POL-5), whatever the zone.
//
// Pure and deterministic: no clock, no I/O, only `luxon` (this module runs in Temporal workflow
// code). Instants in and out are ISO strings in UTC; durations are integer milliseconds.

import { DateTime, Info } from 'luxon';
import { isFrenchPublicHoliday } from './french-holidays';

export interface BusinessSchedule {
  kind: 'business_hours' | 'always';
  /** IANA zone of the wall-clock hours; default 'Europe/Paris'. */
  zone?: string;
  /** Opening hour (local, 0..23); default 9. */
  opensAt?: number;
  /** Closing hour (local, 1..24, after opensAt); default 18. */
  closesAt?: number;
}

export const BUSINESS_HOURS: BusinessSchedule = Object.freeze({
  kind: 'business_hours',
  zone: 'Europe/Paris',
  opensAt: 9,
  closesAt: 18,
});

export const ALWAYS: BusinessSchedule = Object.freeze({ kind: 'always' });

// Bounds every day loop (about 35 µs a day): a target or a span of more than ten years is a bug
// upstream, not a support ticket, and is refused with a RangeError.
const MAX_DAYS = 366 * 10;
const MAX_SPAN_MS = MAX_DAYS * 24 * 3_600_000;

interface Hours {
  zone: string;
  opensAt: number;
  closesAt: number;
}

/** Validated business hours, or null for the 24/7 schedule. */
function hoursOf(s: BusinessSchedule): Hours | null {
  if (!s || (s.kind !== 'business_hours' && s.kind !== 'always')) {
    throw new RangeError(`unknown schedule kind: ${JSON.stringify(s?.kind)}`);
  }
  if (s.kind === 'always') return null;
  const zone = s.zone ?? 'Europe/Paris';
  // IANA names only: luxon's 'local'/'system' would depend on the host.
  if (typeof zone !== 'string' || !Info.isValidIANAZone(zone)) {
    throw new RangeError(`unknown time zone: ${JSON.stringify(zone)}`);
  }
  const opensAt = s.opensAt ?? 9;
  const closesAt = s.closesAt ?? 18;
  if (!Number.isInteger(opensAt) || !Number.isInteger(closesAt) || opensAt < 0 || closesAt > 24 || opensAt >= closesAt) {
    throw new RangeError(`opening hours must be integers with 0 <= opensAt < closesAt <= 24, got ${opensAt}-${closesAt}`);
  }
  return { zone, opensAt, closesAt };
}

function parseInstant(iso: string, what: string): number {
  if (typeof iso !== 'string') throw new RangeError(`${what}: invalid ISO date-time: ${String(iso)}`);
  let dt: DateTime;
  try {
    // An ISO string without an offset is read as UTC (instants are stored in UTC).
    dt = DateTime.fromISO(iso, { zone: 'utc' });
  } catch {
    // Only reachable if someone enabled luxon's Settings.throwOnInvalid.
    throw new RangeError(`${what}: invalid ISO date-time: ${JSON.stringify(iso)}`);
  }
  if (!dt.isValid) throw new RangeError(`${what}: invalid ISO date-time: ${JSON.stringify(iso)}`);
  return dt.toMillis();
}

function toIso(ms: number): string {
  const iso = DateTime.fromMillis(ms, { zone: 'utc' }).toISO();
  if (iso === null) throw new RangeError('instant out of range');
  return iso;
}

function checkDuration(ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`duration must be a non-negative integer of milliseconds, got ${String(ms)}`);
  }
}

function checkSpan(spanMs: number): void {
  if (spanMs > MAX_SPAN_MS) throw new RangeError(`more than ${MAX_DAYS} days of elapsed time`);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Is this calendar date (a UTC DateTime) a French holiday? 'yyyy-MM-dd' by hand: toFormat is slow. */
function isHoliday(day: DateTime): boolean {
  return isFrenchPublicHoliday(`${day.year}-${pad2(day.month)}-${pad2(day.day)}`);
}

interface Window {
  open: number;
  close: number;
}

/** Local wall-clock `hour` of a calendar day, as epoch ms (24 = next day's midnight). */
function wallClock(day: DateTime, hour: number, zone: string): number {
  const date = hour === 24 ? day.plus({ days: 1 }) : day;
  // In a DST gap luxon moves a missing wall time forward by the gap (same day, later instant).
  return DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour: hour === 24 ? 0 : hour },
    { zone },
  ).toMillis();
}

/**
 * The working windows of the calendar days from the local day of `fromMs` on, in order; at most
 * MAX_DAYS days are examined, then RangeError (no schedule here has that many days off in a row,
 * so only a runaway target or span gets there).
 */
function* windowsFrom(fromMs: number, h: Hours): Generator<Window> {
  const local = DateTime.fromMillis(fromMs, { zone: h.zone });
  // The calendar date walked in UTC: adding a day to a date never meets a DST change.
  let day = DateTime.utc(local.year, local.month, local.day);
  for (let i = 0; i < MAX_DAYS; i++, day = day.plus({ days: 1 })) {
    if (day.weekday > 5 || isHoliday(day)) continue;
    yield { open: wallClock(day, h.opensAt, h.zone), close: wallClock(day, h.closesAt, h.zone) };
  }
  throw new RangeError(`no result within ${MAX_DAYS} days`);
}

/** Is this instant inside working time ([open, close) on a working day)? always: true. */
export function isWorkingTime(atIso: string, s: BusinessSchedule): boolean {
  const h = hoursOf(s);
  const at = parseInstant(atIso, 'at');
  if (!h) return true;
  // Only the instant's own local day can contain it (windows never cross midnight).
  const local = DateTime.fromMillis(at, { zone: h.zone });
  const day = DateTime.utc(local.year, local.month, local.day);
  if (day.weekday > 5 || isHoliday(day)) return false;
  return wallClock(day, h.opensAt, h.zone) <= at && at < wallClock(day, h.closesAt, h.zone);
}

/** Working time elapsed between two instants (0 if end <= start). */
export function workingMsBetween(startIso: string, endIso: string, s: BusinessSchedule): number {
  const h = hoursOf(s);
  const start = parseInstant(startIso, 'start');
  const end = parseInstant(endIso, 'end');
  if (end <= start) return 0;
  if (!h) return end - start;
  checkSpan(end - start);
  let total = 0;
  for (const w of windowsFrom(start, h)) {
    if (w.open >= end) break;
    total += Math.max(0, Math.min(end, w.close) - Math.max(start, w.open));
  }
  return total;
}

/**
 * The instant at which `ms` of working time have elapsed after start (ms >= 0). With ms = 0 and
 * start outside working time, returns start unchanged. When the total lands exactly on a closing
 * time, returns that closing instant (18:00), not the next opening.
 */
export function addWorkingMs(startIso: string, ms: number, s: BusinessSchedule): string {
  const h = hoursOf(s);
  const start = parseInstant(startIso, 'start');
  checkDuration(ms);
  if (!h) return toIso(start + ms);
  // A zero target is met at once: no need to wait for the office to open.
  if (ms === 0) return toIso(start);
  // Working time never runs faster than elapsed time: a longer target cannot end within the bound.
  checkSpan(ms);
  let remaining = ms;
  for (const w of windowsFrom(start, h)) {
    const from = Math.max(start, w.open);
    if (from >= w.close) continue; // start is at or after this day's closing
    const available = w.close - from;
    // `<=`: a total ending exactly at closing time is due at closing, the earliest such instant.
    if (remaining <= available) return toIso(from + remaining);
    remaining -= available;
  }
  throw new RangeError('unreachable'); // windowsFrom throws before running out
}

/**
 * The instant itself if it is working time, else the next opening (e.g. Saturday 10:00 -> Monday
 * 09:00, or Tuesday 09:00 if Monday is a holiday). always: the instant itself.
 */
export function nextWorkingInstant(atIso: string, s: BusinessSchedule): string {
  const h = hoursOf(s);
  const at = parseInstant(atIso, 'at');
  if (!h) return toIso(at);
  for (const w of windowsFrom(at, h)) {
    if (at < w.close) return toIso(Math.max(at, w.open));
  }
  throw new RangeError('unreachable');
}
