// KYC-1: what a seller application still needs. Pure (the API, the activities and the
// SellerApplication workflow use it). House rules (README "Seller onboarding (KYC-1)"): the
// registration extract's 3 months are calendar months in Europe/Paris counted back from the day of
// submission, and an extract issued exactly on that day is accepted; an application left
// incomplete lapses 30 days after it was made, with a reminder at day 23.
import { DateTime } from 'luxon';

export const DOCUMENT_KINDS = ['representative_id', 'registration_extract', 'bank_details', 'statutes', 'beneficial_owner_declaration', 'beneficial_owner_id'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
/** The kinds that name a person (1-based position among representatives or beneficial owners). */
export const PERSON_KINDS: readonly DocumentKind[] = ['representative_id', 'beneficial_owner_id'];

export const APPLICATION_STATUSES = ['incomplete', 'submitted', 'approved', 'rejected', 'lapsed'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export const isApplicationEnded = (s: ApplicationStatus): boolean => s === 'approved' || s === 'rejected' || s === 'lapsed';

/** KYC-1: the extract must be issued less than this many months before submission. */
export const EXTRACT_MAX_AGE_MONTHS = 3;
/** House rules: an incomplete application lapses after 30 days, reminded at day 23. */
export const LAPSE_DAYS = 30;
export const REMINDER_DAYS = 23;
export const ONBOARDING_TIME_ZONE = 'Europe/Paris';

export interface Person {
  name: string;
}
export interface DocumentFacts {
  kind: string;
  person: number | null;
  issuedOn: string | null;
  accountHolder: string | null;
}
export interface Missing {
  code: 'representative_id' | 'registration_extract' | 'registration_extract_stale' | 'bank_details' | 'bank_details_holder' | 'statutes' | 'beneficial_owner_declaration' | 'beneficial_owner_id';
  person?: number;
  message: string;
}

/** The oldest issue date accepted for an extract on a submission at `submittedAt` (YYYY-MM-DD, Paris). */
export function oldestExtractDate(submittedAt: string, zone = ONBOARDING_TIME_ZONE): string {
  return DateTime.fromISO(submittedAt, { zone: 'utc' }).setZone(zone).startOf('day').minus({ months: EXTRACT_MAX_AGE_MONTHS }).toISODate()!;
}

/** Names compared case-, accent-, punctuation- and legal-form-spacing-insensitively ("ACME Cloud, S.A.S." = "Acme Cloud SAS"). */
export function normalName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/**
 * KYC-1: everything missing or stale, as of a submission at `at`. Empty: the application is
 * complete. The latest document of each kind (and person) counts; an older one is superseded.
 */
export function missingDocuments(app: { companyName: string; representatives: Person[]; beneficialOwners: Person[] }, docs: DocumentFacts[], at: string, zone = ONBOARDING_TIME_ZONE): Missing[] {
  const missing: Missing[] = [];
  const latest = (kind: DocumentKind, person?: number) => docs.filter((d) => d.kind === kind && (person === undefined || d.person === person)).at(-1);
  app.representatives.forEach((p, i) => {
    if (!latest('representative_id', i + 1)) missing.push({ code: 'representative_id', person: i + 1, message: `the ID of legal representative ${i + 1} (${p.name})` });
  });
  const extract = latest('registration_extract');
  const oldest = oldestExtractDate(at, zone);
  if (!extract) missing.push({ code: 'registration_extract', message: `a registration extract issued on or after ${oldest}` });
  else if (!extract.issuedOn || extract.issuedOn < oldest) {
    missing.push({ code: 'registration_extract_stale', message: `the registration extract issued on ${extract.issuedOn} is more than ${EXTRACT_MAX_AGE_MONTHS} months old: one issued on or after ${oldest} is needed` });
  }
  const bank = latest('bank_details');
  if (!bank) missing.push({ code: 'bank_details', message: `business bank details in the name of ${app.companyName}` });
  else if (normalName(bank.accountHolder ?? '') !== normalName(app.companyName)) {
    missing.push({ code: 'bank_details_holder', message: `the bank details are in the name of "${bank.accountHolder}", not of the company ${app.companyName}` });
  }
  if (!latest('statutes')) missing.push({ code: 'statutes', message: 'the company statutes' });
  if (!latest('beneficial_owner_declaration')) missing.push({ code: 'beneficial_owner_declaration', message: 'the beneficial-owner declaration' });
  app.beneficialOwners.forEach((p, i) => {
    if (!latest('beneficial_owner_id', i + 1)) missing.push({ code: 'beneficial_owner_id', person: i + 1, message: `the ID of beneficial owner ${i + 1} (${p.name})` });
  });
  return missing;
}

/** The reminder (day 23) and the lapse (day 30) of an application made at `createdAt`, in Paris days. */
export function applicationDeadlines(createdAt: string, zone = ONBOARDING_TIME_ZONE): { remindAt: string; lapsesAt: string } {
  const start = DateTime.fromISO(createdAt, { zone: 'utc' }).setZone(zone);
  return { remindAt: start.plus({ days: REMINDER_DAYS }).toUTC().toISO()!, lapsesAt: start.plus({ days: LAPSE_DAYS }).toUTC().toISO()! };
}

/** The seller made on approval: its id derives from the application's. */
export function sellerIdOf(applicationId: string): string {
  return `sel_${applicationId.replace(/^sapp_/, '').replace(/-/g, '')}`;
}
