// Seller cases (MED-1..MED-7): a closure case opened by ops, a seller's request to close its
// account, a seller's complaint. Their windows and states; pure (the SellerCase workflow runs it).

export const CASE_KINDS = ['closure', 'closure_request', 'complaint'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** MED-2: the seller may contest in writing within 48 hours of the notice. */
export const CONTEST_HOURS = 48;
/** MED-3, MED-6, MED-7: the seller confirms the meeting within 48 hours of the invitation. */
export const CONFIRM_HOURS = 48;
/** MED-3: unconfirmed or absent, the account is closed 48 hours after the deadline or the meeting. */
export const CLOSE_AFTER_HOURS = 48;
/** MED-4: the changes asked are due 8 days after the meeting's end. */
export const REMEDIATION_DAYS = 8;

export type CaseStatus =
  | 'awaiting_contest' // MED-2: the 48 hours after the notice run
  | 'awaiting_meeting' // MED-3, MED-6, MED-7: ops must schedule the meeting
  | 'awaiting_confirmation' // the seller must confirm the meeting within 48 hours
  | 'meeting_confirmed' // ops record it held or the seller absent
  | 'remediation' // MED-4: 8 days to make the changes asked
  | 'closing' // MED-3: the account closes 48 hours after the missed deadline or meeting
  | 'account_closed' // MED-2..MED-6: closed (MED-5)
  | 'resolved' // MED-4: changes confirmed, seller active again; MED-7: complaint resolved
  | 'lapsed' // MED-6, MED-7: no confirmation or absent
  | 'withdrawn'; // ops withdrew the case (house rule)

export const ENDED_CASE_STATUSES: readonly CaseStatus[] = ['account_closed', 'resolved', 'lapsed', 'withdrawn'];
export const isCaseEnded = (s: CaseStatus): boolean => ENDED_CASE_STATUSES.includes(s);

export function plusHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}
