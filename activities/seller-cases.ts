// Seller cases (MED-1..MED-7): the case's read model and timeline (audit log, X-4), the seller's
// status (suspended while a closure case runs, active again, closed), the closed account's offers
// unpublished (MED-5), and the e-mails to the seller. Each write is keyed by the case and its step.
import { formatDateTime } from '../domain/time-format';
import type { ActivityDeps } from './deps';
import { writeAudit } from './audit';
import { recordEmail } from './emails';

export type SellerCaseEmailKind =
  | 'notice'
  | 'request_received'
  | 'contest_received'
  | 'invitation'
  | 'remediation'
  | 'closing'
  | 'closed'
  | 'reinstated'
  | 'resolved'
  | 'lapsed'
  | 'withdrawn';

export interface CaseSnapshot {
  status: string;
  nextDeadlineAt: string | null;
  nextDeadlineRule: string | null;
  closedAt: string | null;
  outcome: string | null;
}

export function createSellerCaseActivities(deps: ActivityDeps) {
  const { db } = deps;
  const audit = (tx: Parameters<typeof writeAudit>[0], caseId: string, event: string, actor: string, at: string, workflowId: string, data: Record<string, unknown>) =>
    writeAudit(tx, { key: `case:${caseId}:${event}`, at, actor, action: `seller_case.${event}`, entityType: 'seller_case', entityId: caseId, workflowId, data });

  return {
    /** X-4: the case row follows the workflow; each step once in the audit log (the case's timeline). */
    async recordSellerCase(input: { caseId: string; workflowId: string; event: string; actor: string; at: string; snapshot: CaseSnapshot; data: Record<string, unknown> }): Promise<void> {
      const s = input.snapshot;
      await db.$transaction(async (tx) => {
        await tx.sellerCase.update({
          where: { id: input.caseId },
          data: {
            status: s.status,
            nextDeadlineAt: s.nextDeadlineAt ? new Date(s.nextDeadlineAt) : null,
            nextDeadlineRule: s.nextDeadlineRule,
            closedAt: s.closedAt ? new Date(s.closedAt) : null,
            outcome: s.outcome,
          },
        });
        await audit(tx, input.caseId, input.event, input.actor, input.at, input.workflowId, input.data);
      });
    },

    /** MED-1: suspended while the closure case runs: its offers take no new orders, its key no seller action. */
    async suspendSeller(input: { sellerId: string; caseId: string; at: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.seller.updateMany({ where: { id: input.sellerId, status: { not: 'closed' } }, data: { status: 'suspended', statusReason: `closure case ${input.caseId} is open (MED-1)` } });
        await audit(tx, input.caseId, 'seller_suspended', 'system', input.at, input.workflowId, { sellerId: input.sellerId });
      });
    },

    /** MED-4 (changes confirmed) or a withdrawn case: the seller takes orders again. */
    async reinstateSeller(input: { sellerId: string; caseId: string; at: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.seller.updateMany({ where: { id: input.sellerId, status: 'suspended' }, data: { status: 'approved', statusReason: null } });
        await audit(tx, input.caseId, 'seller_reinstated', 'system', input.at, input.workflowId, { sellerId: input.sellerId });
      });
    },

    /** MED-5: the account is closed and its offers unpublished, in one transaction. */
    async closeSellerAccount(input: { sellerId: string; caseId: string; at: string; reason: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.seller.update({ where: { id: input.sellerId }, data: { status: 'closed', statusReason: `account closed: ${input.reason}` } });
        const unpublished = await tx.offer.updateMany({ where: { sellerId: input.sellerId, published: true }, data: { published: false } });
        await audit(tx, input.caseId, 'account_closed_offers_unpublished', 'system', input.at, input.workflowId, { sellerId: input.sellerId, offersUnpublished: unpublished.count, reason: input.reason });
      });
    },

    /** Records one e-mail to the seller's contact address in the outbox (X-2). */
    async composeSellerCaseEmail(input: { caseId: string; kind: SellerCaseEmailKind; key: string; data: Record<string, string | null> }): Promise<string> {
      const c = await db.sellerCase.findUniqueOrThrow({ where: { id: input.caseId } });
      const seller = await db.seller.findUniqueOrThrow({ where: { id: c.sellerId } });
      const first = await db.sellerCaseMessage.findFirst({ where: { caseId: c.id }, orderBy: { createdAt: 'asc' } });
      const d = input.data;
      const at = (v: string | null) => (v ? formatDateTime(v) : 'a date to be set');
      const about = `case ${c.id}`;
      const texts: Record<SellerCaseEmailKind, [string, string]> = {
        notice: [
          `Notice: closure case ${c.id} against ${seller.legalName}`,
          `The marketplace has opened a closure case against your account (MED-1). Reasons:\n${first?.text ?? ''}\n\nYour offers take no new orders meanwhile; existing subscriptions continue. A letter${d.letterReference ? ` (reference ${d.letterReference})` : ''} was posted to ${seller.address}.\nYou may contest in writing within 48 hours of this notice; without a contest the account is closed when those 48 hours end (MED-2).`,
        ],
        request_received: [`Your request is registered: ${about}`, `We received your ${c.kind === 'complaint' ? 'complaint' : 'request to close your account'}. Ops will invite you to a meeting; confirm it within 48 hours of the invitation (${c.kind === 'complaint' ? 'MED-7' : 'MED-6'}).`],
        contest_received: [`Contest received: ${about}`, 'Your written contest is registered. Ops will invite you to a mediation meeting; confirm it within 48 hours of the invitation (MED-3).'],
        invitation: [
          `Invitation: mediation meeting on ${at(d.meetingAt)}`,
          `You are invited to a meeting about ${about} on ${at(d.meetingAt)} (${d.place ?? ''}).\nConfirm it by ${at(d.confirmBy)} in your seller account.${c.kind === 'closure' ? ' Without a confirmation, or if you are absent, the account is closed 48 hours later (MED-3).' : ' Without a confirmation, or if you are absent, the request lapses.'}`,
        ],
        remediation: [`Changes due by ${at(d.remediationDueAt)}: ${about}`, `After the meeting you have 8 days to make the changes asked, until ${at(d.remediationDueAt)}. Once ops confirm them the case closes and your account is active again; otherwise the account is closed (MED-4).`],
        closing: [`Your account closes on ${at(d.closesAt)}: ${about}`, `${d.outcome ?? ''}: your account will be closed on ${at(d.closesAt)} (MED-3).`],
        closed: [`Account closed: ${seller.legalName}`, `Your seller account is closed (${d.outcome ?? ''}). Your offers are unpublished and take no new orders (MED-5).`],
        reinstated: [`Case closed, account active: ${about}`, 'Ops confirmed the changes asked: the case is closed and your account is active again; your offers take orders again (MED-4).'],
        resolved: [`Complaint resolved: ${about}`, `Your complaint is resolved: ${d.outcome ?? ''} (MED-7).`],
        lapsed: [`Request lapsed: ${about}`, `${d.outcome ?? ''}.`],
        withdrawn: [`Case withdrawn: ${about}`, `${d.outcome ?? ''}. Your account is active.`],
      };
      const [subject, text] = texts[input.kind];
      return recordEmail(db, { id: input.key, customerId: null, toAddress: seller.contactEmail, subject, text });
    },
  };
}
