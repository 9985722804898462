// Keyset pagination shared by every list route. In: `limit` (default 20, at most 100) and an
// opaque `cursor`; out: `{ items, nextCursor }`. Every list is sorted newest first on a timestamp
// with the id as tie-breaker, so a cursor is that pair for the last item answered (base64url of
// JSON) and the next page is what sorts strictly after it: items written meanwhile never shift a
// page, and an item is answered once. A cursor names its list, so one list's cursor is refused by
// another instead of silently skipping items.
import type { ZodRawShape } from 'zod';
import { z } from './zod';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** Where a page starts: strictly after this item. */
export interface CursorPosition {
  /** The last item's sort key (a timestamp). */
  at: Date;
  id: string;
}

const cursorPayload = z.strictObject({
  l: z.string().min(1).max(50),
  // A year PostgreSQL's timestamp holds and a list can have: a crafted cursor is a 400, not a 500.
  k: z.iso.datetime().refine((k) => /^(19[7-9]\d|2\d{3})-/.test(k), 'not a time a list holds'),
  id: z.string().min(1).max(500),
});

export function encodeCursor(list: string, at: Date, id: string): string {
  return Buffer.from(JSON.stringify({ l: list, k: at.toISOString(), id })).toString('base64url');
}

/** The cursor parameter of one list: an opaque string, decoded and checked here (400 naming query.cursor). */
function cursorParam(list: string) {
  return z
    .string()
    .max(1000)
    .transform((text, ctx): CursorPosition => {
      const refuse = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      if (!/^[A-Za-z0-9_-]+$/.test(text)) return refuse('not a cursor of this API: pass nextCursor as it was answered');
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
      } catch {
        return refuse('not a cursor of this API: pass nextCursor as it was answered');
      }
      const parsed = cursorPayload.safeParse(payload);
      if (!parsed.success) return refuse('not a cursor of this API: pass nextCursor as it was answered');
      if (parsed.data.l !== list) return refuse('this cursor belongs to another list');
      return { at: new Date(parsed.data.k), id: parsed.data.id };
    })
    .optional()
    .openapi({ type: 'string', description: 'The nextCursor of the previous page; omitted for the first page' });
}

/** `limit`: how many items a page holds; a query string, so a text of digits. */
const limitParam = z
  .string()
  .regex(/^[0-9]+$/, `must be a whole number from 1 to ${MAX_LIMIT}`)
  .transform(Number)
  .pipe(z.number().min(1, `must be a whole number from 1 to ${MAX_LIMIT}`).max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`))
  .default(DEFAULT_LIMIT)
  .openapi({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `Items per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` });

/**
 * The query of a list: its filters, `limit` and `cursor`, and nothing else (an unknown parameter
 * is a 400 naming it, so a misspelt filter never silently lists everything).
 */
export function listQuery<S extends ZodRawShape>(list: string, filters: S) {
  return z.strictObject({ ...filters, limit: limitParam, cursor: cursorParam(list) });
}

/** A filter on one of these values; anything else is a 400 naming the parameter and the values allowed. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of: ${values.join(', ')}` }).optional();
}

/** The answer of a list: a page of items, and the cursor of the next page (null on the last). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({
    items: z.array(item),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  });
}

/**
 * Builds a page from rows fetched with `take: limit + 1` in the list's order: the extra row only
 * tells whether a next page exists.
 */
export function toPage<R, I>(list: string, rows: R[], limit: number, keyOf: (row: R) => { at: Date; id: string }, view: (row: R) => I): { items: I[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(list, keyOf(last).at, keyOf(last).id) : null;
  return { items: page.map(view), nextCursor };
}

/**
 * The Prisma filter "sorts after the cursor" for a list ordered by `field` desc, then id desc;
 * `nest` wraps the sort key's condition when the key is on a relation (a line sorted by its order's date).
 */
export function afterCursor(cursor: CursorPosition | undefined, field: string, nest: (condition: Record<string, unknown>) => Record<string, unknown> = (c) => c) {
  if (!cursor) return {};
  return { OR: [nest({ [field]: { lt: cursor.at } }), { AND: [nest({ [field]: cursor.at }), { id: { lt: cursor.id } }] }] };
}
