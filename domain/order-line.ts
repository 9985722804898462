// Seller validation of an order line (ORD-6, ORD-7): states and the pure rules on them.

/** ORD-7: a line unanswered this long after payment becomes overdue. */
export const VALIDATION_WINDOW_HOURS = 48;
/** Ops may grant at most this many extra hours at once (house rule, README). */
export const MAX_EXTENSION_HOURS = 24 * 14;

export type LineStatus =
  | 'awaiting_validation'
  | 'overdue'
  | 'active'
  | 'refused'
  | 'cancelled';

export const OPEN_LINE_STATUSES: readonly LineStatus[] = ['awaiting_validation', 'overdue'];

export function isUndecided(status: LineStatus): boolean {
  return OPEN_LINE_STATUSES.includes(status);
}

export function addHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}
