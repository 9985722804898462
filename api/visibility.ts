// X-6 least privilege: what a caller sees of the fields it may otherwise read. A route first
// decides whether the caller may read the resource at all (its `allow` and owner checks); these
// rules then trim what the answer holds, in one place for every route:
//
// - An order line's access instructions (credentials for the customer's service) are read by the
//   line's customer, its seller, ops and admin only. Finance and support get the field (and
//   `accessInstructionsId`, where they are stored) omitted, with `accessInstructionsHidden: true`
//   when the line has some.
// - Who acted (`staff:<label>`, X-4) is read by staff only: customers and sellers see a staff
//   actor as `staff`; other actors (`seller:<id>`, `customer:<id>`, `system`, …) as they are.
// - A customer's e-mails are read in full by that customer only; staff get the text with its
//   secrets (sign-in links and codes, deletion codes, access instructions) replaced by `[hidden]`.
import type { Principal } from './auth';

/** How a staff actor is shown to a customer or a seller: that staff acted, never who. */
export const STAFF_ACTOR_SHOWN_TO_OTHERS = 'staff';

/** What replaces a secret in a text read by staff. */
export const HIDDEN = '[hidden]';

/** The owners of an order line, as far as the route has loaded them. */
export interface LineOwners {
  sellerId: string;
  /** The order's customer; when not loaded (or none yet), no customer is taken for the owner. */
  customerId?: string | null;
}

/** Access instructions: the line's customer, its seller, ops and admin; not finance, not support. */
export function mayReadAccessInstructions(viewer: Principal, line: LineOwners): boolean {
  switch (viewer.kind) {
    case 'staff':
      return viewer.role === 'ops' || viewer.role === 'admin';
    case 'seller':
      return viewer.sellerId === line.sellerId;
    case 'customer':
      return typeof line.customerId === 'string' && viewer.customerId === line.customerId;
    default:
      return false;
  }
}

/** An audit actor or a `decidedBy`/`by` field as this viewer may read it. */
export function actorAsSeenBy(viewer: Principal, actor: string): string;
export function actorAsSeenBy(viewer: Principal, actor: string | null | undefined): string | null | undefined;
export function actorAsSeenBy(viewer: Principal, actor: string | null | undefined): string | null | undefined {
  if (viewer.kind === 'staff' || typeof actor !== 'string') return actor;
  return actor === 'staff' || actor.startsWith('staff:') ? STAFF_ACTOR_SHOWN_TO_OTHERS : actor;
}

export type LineAsSeen<T> = Omit<T, 'accessInstructions' | 'accessInstructionsId'> & {
  accessInstructions?: T extends { accessInstructions?: infer A } ? A : never;
  accessInstructionsId?: T extends { accessInstructionsId?: infer A } ? A : never;
  /** Present (true) when the line has access instructions this viewer may not read. */
  accessInstructionsHidden?: true;
};

/**
 * A view of an order line (a workflow's state, a database row's view) trimmed for this viewer:
 * access instructions, `decidedBy` and `extensions[].by`, whichever the view holds.
 */
export function lineAsSeenBy<T extends object>(viewer: Principal, line: LineOwners, view: T): LineAsSeen<T> {
  const out = { ...view } as Record<string, unknown>;
  if (('accessInstructions' in out || 'accessInstructionsId' in out) && !mayReadAccessInstructions(viewer, line)) {
    const had = [out.accessInstructions, out.accessInstructionsId].some((v) => v !== undefined && v !== null);
    // The text, and the reference to where it is stored: neither for this viewer.
    delete out.accessInstructions;
    delete out.accessInstructionsId;
    if (had) out.accessInstructionsHidden = true;
  }
  if (typeof out.decidedBy === 'string') out.decidedBy = actorAsSeenBy(viewer, out.decidedBy);
  if (Array.isArray(out.extensions)) {
    out.extensions = out.extensions.map((e: unknown) =>
      e && typeof e === 'object' && 'by' in e && typeof e.by === 'string' ? { ...e, by: actorAsSeenBy(viewer, e.by) } : e,
    );
  }
  return out as LineAsSeen<T>;
}

// --- e-mails ---------------------------------------------------------------------------------------

/** The heading of the access instructions block, and everything after it (the block ends the e-mail). */
const ACCESS_BLOCK = /(access instructions(?:[^\n:]*:|[^\S\n]*(?=\n|$)))[\s\S]*$/i;
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
/** A URL that carries a credential: a token or signature in its query, or a `/t/<token>` path. */
const SECRET_URL = /token=|sig=|\/t\//i;
/** "code" (code, codes, passcode, Code:) and the separators after it. */
const CODE_WORD = /code\w*[^\S\n]*[:=#-]?[^\S\n]*/i;
const TOKEN = /[A-Za-z0-9]{6,}/;

/**
 * The regex fallback for e-mails recorded without `maskedText`: conservative, it hides more than
 * the secret when unsure. Hidden: the block after an "Access instructions" heading (to the end of
 * the e-mail, where the template puts it); every URL with `token=`, `sig=` or a `/t/` segment; on a
 * line where "code" is followed by an alphanumeric token of 6 or more characters, the rest of the
 * line after "code".
 */
export function maskSecrets(text: string): string {
  const withoutBlock = text.replace(ACCESS_BLOCK, (_all, heading: string) => `${heading}\n${HIDDEN}`);
  const withoutUrls = withoutBlock.replace(URL, (url) => (SECRET_URL.test(url) ? HIDDEN : url));
  return withoutUrls
    .split('\n')
    .map((line) => {
      const m = CODE_WORD.exec(line);
      if (!m) return line;
      const end = m.index + m[0].length;
      return TOKEN.test(line.slice(end)) ? `${line.slice(0, end)}${HIDDEN}` : line;
    })
    .join('\n');
}

export interface EmailRow {
  /** The outbox key: it tells the kind of e-mail (`signin:…`, `sub:…:deletion-code:n`). */
  id: string;
  customerId: string | null;
  text: string;
}

/**
 * The text of an e-mail as this viewer may read it: the addressee customer reads it whole; anyone
 * else (staff) reads `maskedText`, written by the composer with each secret replaced by
 * `[hidden]`, or for e-mails recorded before that column, the regex fallback of `maskSecrets`.
 */
export function emailTextFor(viewer: Principal, email: EmailRow): string {
  // A key is not proof of the mailbox: the links and codes that prove it (sign-in, SUB-10) are
  // read in the mailbox only, never through the API, so a stolen key cannot mint keys with them.
  const provesMailbox = email.id.startsWith('signin:') || email.id.includes(':deletion-code:');
  if (viewer.kind === 'customer' && email.customerId !== null && viewer.customerId === email.customerId && !provesMailbox) return email.text;
  // Read defensively: the column may not be in the Prisma client yet.
  const masked = (email as { maskedText?: string | null }).maskedText;
  return typeof masked === 'string' ? masked : maskSecrets(email.text);
}
