// Links in e-mails that work in a browser, without an API key: each is signed, expiring and
// single-purpose. The token is `<subject, base64url>.<expiry, epoch seconds>.<HMAC-SHA256 hex>`,
// the HMAC (infra/hmac.ts, under the app secret) taken over the purpose, the subject and the
// expiry, so a token for one purpose or subject never opens another, and a changed expiry or
// subject is refused. The link carries nothing secret but its signature: no code, no card data.
// Kept nowhere but in the e-mail that carries it (whose staff copy has it hidden, ACC-1).
import { keyedHash, sameSecret } from '../infra/hmac';

export const LINK_PURPOSES = ['document', 'card-update', 'manual-payment', 'deletion-confirmation', 'withdrawal', 'support-payment', 'tender-withdrawal'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

/**
 * How long a link works (house rules). Most end with the window of the rule they serve:
 * - document (INV-1): 30 days from the document's issue; later it is downloaded signed in.
 * - card-update (SUB-5): until the last retry (the end of the past-due window); 7 days if unknown.
 * - manual-payment (SUB-6): until the period ends unpaid (the due date); 7 days if unknown.
 * - deletion-confirmation (SUB-10): as long as the code (24 hours).
 * - withdrawal (SUB-11): until the withdrawal window closes.
 * - support-payment (DIA-4): a support invoice's card payment, until its due date (then DIA-6).
 * - tender-withdrawal (TND-1): withdraws a call for tenders, until the call closes (30 days after it opened).
 */
export const DOCUMENT_LINK_DAYS = 30;
export const FALLBACK_LINK_DAYS = 7;

/** A token's subject: an invoice id, a subscription id, `<subscription id>:<request n>`, an order id. */
const SUBJECT_MAX = 300;
/** What a token looks like: the route refuses anything else before checking it (400). */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,400}\.[0-9]{1,12}\.[0-9a-f]{64}$/;

function signature(purpose: LinkPurpose, encodedSubject: string, exp: number): string {
  return keyedHash(`signed-link:v1:${purpose}`, `${encodedSubject}.${exp}`);
}

/** The token of a link for `purpose` on `subject`, working until `expiresAt`. */
export function signLink(purpose: LinkPurpose, subject: string, expiresAt: Date | string): string {
  if (subject.length === 0 || subject.length > SUBJECT_MAX) throw new Error(`a link subject has 1 to ${SUBJECT_MAX} characters: ${subject.slice(0, 40)}`);
  const exp = Math.floor(new Date(expiresAt).getTime() / 1000);
  if (!Number.isFinite(exp)) throw new Error(`a link needs an expiry: ${String(expiresAt)}`);
  const encoded = Buffer.from(subject, 'utf8').toString('base64url');
  return `${encoded}.${exp}.${signature(purpose, encoded, exp)}`;
}

export function linkPath(purpose: LinkPurpose, token: string): string {
  return `/links/${purpose}/${token}`;
}

/** The full URL an e-mail carries. */
export function linkUrl(publicUrl: string, purpose: LinkPurpose, subject: string, expiresAt: Date | string): string {
  return `${publicUrl}${linkPath(purpose, signLink(purpose, subject, expiresAt))}`;
}

export type LinkCheck =
  | { status: 'valid'; subject: string; expiresAt: Date }
  /** Malformed, altered, or made for another purpose: nothing is said about which. */
  | { status: 'invalid' }
  /** Signed by us, but past its expiry (only a genuine token is told it expired). */
  | { status: 'expired'; expiresAt: Date };

export function checkLink(purpose: LinkPurpose, token: string, now: number = Date.now()): LinkCheck {
  if (!LINK_TOKEN_PATTERN.test(token)) return { status: 'invalid' };
  const [encoded, expText, sig] = token.split('.');
  const exp = Number(expText);
  if (!sameSecret(sig, signature(purpose, encoded, exp))) return { status: 'invalid' };
  const expiresAt = new Date(exp * 1000);
  if (exp * 1000 <= now) return { status: 'expired', expiresAt };
  return { status: 'valid', subject: Buffer.from(encoded, 'base64url').toString('utf8'), expiresAt };
}

const DAY_MS = 86_400_000;

/** A date `days` after `from` (the fixed lifetimes above). */
export function daysAfter(from: Date | string, days: number): Date {
  return new Date(new Date(from).getTime() + days * DAY_MS);
}

/** The given end of a window if there is one (and it is a date), else `FALLBACK_LINK_DAYS` from now. */
export function windowEnd(end: unknown, now: number = Date.now()): Date {
  const ms = typeof end === 'string' ? Date.parse(end) : NaN;
  return Number.isFinite(ms) ? new Date(ms) : new Date(now + FALLBACK_LINK_DAYS * DAY_MS);
}

/** SUB-10: a deletion-confirmation link names its request: an older e-mail's link cannot confirm a newer code. */
export function deletionLinkSubject(subscriptionId: string, request: number): string {
  return `${subscriptionId}:${request}`;
}

export function parseDeletionLinkSubject(subject: string): { subscriptionId: string; request: number } | null {
  const m = /^(lin_[A-Za-z0-9_-]{1,80}):([1-9][0-9]{0,8})$/.exec(subject);
  return m ? { subscriptionId: m[1], request: Number(m[2]) } : null;
}
