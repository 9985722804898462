// Calls for tenders (TND-1): the call opened, withdrawn, closed or dropped (each under the call's
// row lock, so a partner's read or proposal, which takes the same lock, sees the state of that
// instant), the partners it is announced to, and its e-mails. The workflow carries the call's id
// only: addresses, texts and the verification code are read or made here, from the database.
import { randomInt } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { formatMoney } from '../domain/money';
import { TENDER_CODE_ATTEMPTS, TENDER_CODE_LENGTH, TENDER_CODE_PURPOSE, TENDER_VERIFICATION_HOURS, tenderClosesAt, tenderCodeId, tenderVerifyBy } from '../domain/tender';
import { formatDateTime } from '../domain/time-format';
import { keyedHash } from '../infra/hmac';
import { linkUrl } from '../api/signed-links';
import type { ActivityDeps } from './deps';
import { writeAudit } from './audit';
import { HIDDEN } from './email-templates';
import { recordEmail } from './emails';

export type TenderEmailKind = 'verification' | 'opened' | 'excerpt' | 'proposal' | 'withdrawn' | 'closed';

/** Codes of 8 characters from an alphabet without look-alikes (0/O, 1/I/L), as SUB-10's. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** What the database keeps of a call's code: an HMAC under the app secret, so a copy of it reveals none. */
export function tenderCodeHash(tenderId: string, code: string): string {
  return keyedHash(`${TENDER_CODE_PURPOSE}:${tenderId}`, code.trim().toUpperCase());
}

export function createTenderActivities(deps: ActivityDeps) {
  const { db } = deps;
  const audit = (tx: Prisma.TransactionClient, tenderId: string, event: string, actor: string, at: string, workflowId: string, data: Record<string, unknown> = {}) =>
    writeAudit(tx, { key: `tnd:${tenderId}:${event}`, at, actor, action: `tender.${event}`, entityType: 'tender', entityId: tenderId, workflowId, data });
  const lock = (tx: Prisma.TransactionClient, tenderId: string) => tx.$queryRaw`SELECT "id" FROM "Tender" WHERE "id" = ${tenderId} FOR UPDATE`;

  return {
    /** TND-1: the call opens (at once for a customer's own address, else once its e-mail is proven); it closes 30 Paris days later. */
    async openTender(input: { tenderId: string; at: string; actor: string; workflowId: string }): Promise<{ openedAt: string; closesAt: string }> {
      return db.$transaction(async (tx) => {
        await lock(tx, input.tenderId);
        const t = await tx.tender.findUniqueOrThrow({ where: { id: input.tenderId } });
        if (t.openedAt && t.closesAt) return { openedAt: t.openedAt.toISOString(), closesAt: t.closesAt.toISOString() };
        const closesAt = tenderClosesAt(input.at);
        await tx.tender.update({ where: { id: t.id }, data: { status: 'open', openedAt: new Date(input.at), closesAt: new Date(closesAt) } });
        await audit(tx, t.id, 'opened', input.actor, input.at, input.workflowId, { category: t.category, closesAt });
        return { openedAt: input.at, closesAt };
      });
    },

    /** TND-1: the approved partners opted in to the call's category, as of its opening. */
    async tenderPartners(input: { tenderId: string }): Promise<string[]> {
      const t = await db.tender.findUniqueOrThrow({ where: { id: input.tenderId } });
      const partners = await db.partner.findMany({ where: { status: 'approved', tenderCategories: { has: t.category } }, orderBy: { id: 'asc' }, select: { id: true } });
      return partners.map((p) => p.id);
    },

    /**
     * TND-1: withdrawn (by its customer, or whoever holds the e-mailed link) or closed (30 days):
     * from this transaction on no read or proposal passes. Answers every proposal made, so that
     * one sent just before is e-mailed even if its signal came too late.
     */
    async endTender(input: { tenderId: string; status: 'withdrawn' | 'closed'; at: string; actor: string; workflowId: string }): Promise<{ status: string; endedAt: string; proposalIds: string[] }> {
      return db.$transaction(async (tx) => {
        await lock(tx, input.tenderId);
        const t = await tx.tender.findUniqueOrThrow({ where: { id: input.tenderId } });
        if (t.status === 'open') {
          await tx.tender.update({ where: { id: t.id }, data: { status: input.status, endedAt: new Date(input.at) } });
          await audit(tx, t.id, input.status, input.actor, input.at, input.workflowId);
        }
        const proposals = await tx.tenderProposal.findMany({ where: { tenderId: t.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } });
        const ended = t.status === 'open' ? { status: input.status, endedAt: input.at } : { status: t.status, endedAt: (t.endedAt ?? new Date(input.at)).toISOString() };
        return { ...ended, proposalIds: proposals.map((p) => p.id) };
      });
    },

    /** House rule: unproven 48 hours after it was posted, the call is dropped: its row and code are deleted (nothing of an unproven address is kept). */
    async dropTender(input: { tenderId: string; at: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        await lock(tx, input.tenderId);
        const gone = await tx.tender.deleteMany({ where: { id: input.tenderId, status: 'awaiting_verification' } });
        await tx.confirmationCode.deleteMany({ where: { purpose: TENDER_CODE_PURPOSE, subjectId: input.tenderId } });
        if (gone.count > 0) await audit(tx, input.tenderId, 'dropped', 'system', input.at, input.workflowId, { reason: `e-mail not verified within ${TENDER_VERIFICATION_HOURS} hours` });
      });
    },

    /**
     * Records one e-mail of a call in the outbox under its key. To the contact: the
     * verification code (drawn here, stored hashed, in this e-mail only), the opening and each
     * proposal with the withdrawal link, the end. To a partner: the excerpt, never the contact.
     */
    async composeTenderEmail(input: { tenderId: string; kind: TenderEmailKind; key: string; partnerId?: string; proposalId?: string }): Promise<string> {
      if (await db.email.findUnique({ where: { id: input.key }, select: { id: true } })) return input.key; // a retry: the first one stands
      const t = await db.tender.findUniqueOrThrow({ where: { id: input.tenderId } });
      const about = `your call for tenders "${t.title}" (${t.id})`;
      // Kept under the account (ACC-1) only when the contact is the account's own address: a code
      // sent to another address must not be readable in the account's mailbox list, or the
      // account could prove an address it does not hold.
      const account = t.customerId ? await db.customer.findUnique({ where: { id: t.customerId }, select: { email: true } }) : null;
      const ownAddress = account !== null && account.email.toLowerCase() === t.contactEmail.toLowerCase();
      const toContact = { id: input.key, customerId: ownAddress ? t.customerId : null, toAddress: t.contactEmail };
      const withdrawLink = () => linkUrl(deps.publicUrl, 'tender-withdrawal', t.id, t.closesAt ?? tenderClosesAt(new Date().toISOString()));
      const withdrawLine = (link: string) => `To withdraw the call at once (no partner can read it or answer it any more): ${link}`;

      if (input.kind === 'verification') {
        const code = Array.from({ length: TENDER_CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
        const verifyBy = tenderVerifyBy(t.createdAt.toISOString());
        const body = (shown: string) =>
          [
            `Confirm your e-mail address to open ${about}.`,
            `Verification code: ${shown}`,
            `Send it to POST /tenders/${t.id}/verify before ${formatDateTime(verifyBy)}: unverified after ${TENDER_VERIFICATION_HOURS} hours, the call is dropped. After ${TENDER_CODE_ATTEMPTS} wrong codes this one stops working.`,
          ].join('\n');
        await db.$transaction(async (tx) => {
          await tx.confirmationCode.create({
            data: { id: tenderCodeId(t.id), purpose: TENDER_CODE_PURPOSE, subjectId: t.id, actor: t.customerId ? `customer:${t.customerId}` : 'visitor', codeHash: tenderCodeHash(t.id, code), expiresAt: new Date(verifyBy) },
          });
          await recordEmail(tx, { ...toContact, subject: `Verification code for your call for tenders`, text: body(code), maskedText: body(HIDDEN) });
        });
        return input.key;
      }
      if (input.kind === 'excerpt') {
        const partner = await db.partner.findUniqueOrThrow({ where: { id: input.partnerId! } });
        const account = await db.customer.findUniqueOrThrow({ where: { id: partner.customerId } });
        const text = [
          `A new call for tenders in your category ${t.category.replace(/_/g, ' ')}:`,
          `"${t.title}"`,
          t.excerpt,
          `Read it in full, with the contact details, and send a proposal: POST /partner/tenders/${t.id}/read (open until ${formatDateTime(t.closesAt!)}).`,
        ].join('\n');
        return recordEmail(db, { id: input.key, customerId: account.id, toAddress: account.email, subject: `Call for tenders: ${t.title}`, text });
      }
      if (input.kind === 'opened' || input.kind === 'proposal') {
        let head = `${about[0].toUpperCase()}${about.slice(1)} is open until ${formatDateTime(t.closesAt!)}: partners of its category received its excerpt.`;
        let subject = `Your call for tenders is open: ${t.title}`;
        if (input.kind === 'proposal') {
          const p = await db.tenderProposal.findUniqueOrThrow({ where: { id: input.proposalId! } });
          const partner = await db.partner.findUniqueOrThrow({ where: { id: p.partnerId } });
          const price = p.priceCents !== null && p.currency ? `\nPrice: ${formatMoney(p.priceCents, p.currency)}` : '';
          subject = `A proposal for your call for tenders: ${t.title}`;
          head = `${partner.companyName} (${partner.website}) sent a proposal for ${about}:\n${p.message}${price}`;
        }
        const link = withdrawLink();
        const body = (shown: string) => `${head}\n${withdrawLine(shown)}`;
        return recordEmail(db, { ...toContact, subject, text: body(link), maskedText: body(HIDDEN) });
      }
      const texts: Record<'withdrawn' | 'closed', [string, string]> = {
        withdrawn: [`Call for tenders withdrawn: ${t.title}`, `${about[0].toUpperCase()}${about.slice(1)} was withdrawn on ${formatDateTime(t.endedAt ?? new Date())}: partners can no longer read it or answer it.`],
        closed: [`Call for tenders closed: ${t.title}`, `${about[0].toUpperCase()}${about.slice(1)} closed on ${formatDateTime(t.endedAt ?? new Date())}, 30 days after it opened. You may post a new one.`],
      };
      const [subject, text] = texts[input.kind];
      return recordEmail(db, { ...toContact, subject, text });
    },
  };
}
