// Partnerships (PRT-2, PRT-3, PRT-5, PRT-7): the writes of the Partnership workflow to its read
// model (the Partnership row), each with its audit entry naming both parties (X-4), and the
// e-mails to either side. PRT-3 is enforced here, where the grant is written: the customer's row
// is locked (SELECT … FOR UPDATE) before its partnerships in force are read, so two acceptances
// or changes for one customer run one after the other and the second sees the first.
import { randomInt } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { ApplicationFailure } from '@temporalio/common';
import { accessConflict, END_CODE_MINUTES, END_CODE_PURPOSE, normalGrant, payerAfter, type Access, type EndedBy, type Grant, type Payer, type Side } from '../domain/partnership';
import { formatDate, formatDateTime } from '../domain/time-format';
import { keyedHash } from '../infra/hmac';
import { writeAudit } from './audit';
import type { ActivityDeps } from './deps';
import { HIDDEN } from './email-templates';
import { recordEmail } from './emails';

export type PartnershipEmailKind = 'invitation' | 'reminder' | 'lapsed' | 'accepted' | 'refused' | 'withdrawn' | 'payer_changed' | 'ended';

/** PRT-7 codes: 8 characters without look-alikes (as SUB-10's). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const END_CODE_LENGTH = 8;

/** What the database keeps of an end code: an HMAC under the app secret, bound to the code's id. */
export function endCodeHash(codeId: string, code: string): string {
  return keyedHash(`${END_CODE_PURPOSE}:${codeId}`, code.trim().toUpperCase());
}

export function endCodeId(partnershipId: string, side: Side, request: number): string {
  return `psh:${partnershipId}:end:${side}:${request}`;
}

interface Representative {
  name: string;
  email: string;
}

export function createPartnershipActivities(deps: ActivityDeps) {
  const { db } = deps;

  async function parties(tx: Prisma.TransactionClient, partnershipId: string) {
    const row = await tx.partnership.findUniqueOrThrow({ where: { id: partnershipId } });
    return { row, data: { customerId: row.customerId, partnerId: row.partnerId } };
  }
  const audit = (tx: Prisma.TransactionClient, row: { id: string; customerId: string; partnerId: string }, event: string, actor: string, at: string, workflowId: string, data: Record<string, unknown> = {}) =>
    writeAudit(tx, { key: `psh:${row.id}:${event}`, at, actor, action: `partnership.${event.split(':')[0]}`, entityType: 'partnership', entityId: row.id, workflowId, data: { customerId: row.customerId, partnerId: row.partnerId, ...data } });

  /** PRT-3 under the customer's lock: the conflict with another partnership in force, refused by name. */
  async function checkAccess(tx: Prisma.TransactionClient, customerId: string, partnershipId: string, grant: Grant): Promise<void> {
    await tx.$queryRaw`SELECT 1 FROM "Customer" WHERE "id" = ${customerId} FOR UPDATE`;
    const others = await tx.partnership.findMany({ where: { customerId, status: 'active', id: { not: partnershipId } } });
    const partners = await tx.partner.findMany({ where: { id: { in: others.map((o) => o.partnerId) } }, select: { id: true, companyName: true } });
    const name = new Map(partners.map((p) => [p.id, p.companyName]));
    const conflict = accessConflict(grant, others.map((o) => ({ partnershipId: o.id, partnerId: o.partnerId, companyName: name.get(o.partnerId) ?? o.partnerId, access: o.access as Access, productIds: o.productIds })));
    if (conflict) throw ApplicationFailure.create({ message: conflict.message, type: 'AccessConflict', nonRetryable: true, details: [conflict] });
  }

  return {
    /** PRT-2, PRT-3: the invitation accepted with this grant (the customer's choice, or what it asked). */
    async activatePartnership(input: { partnershipId: string; grant: Grant; by: Side; at: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const { row } = await parties(tx, input.partnershipId);
        if (row.status === 'active') return; // a retry after the commit
        const grant = normalGrant(input.grant);
        await checkAccess(tx, row.customerId, row.id, grant);
        await tx.partnership.update({ where: { id: row.id }, data: { status: 'active', access: grant.access, productIds: grant.productIds, payer: 'customer', respondedAt: new Date(input.at) } });
        await audit(tx, row, 'accepted', input.by, input.at, input.workflowId, { access: grant.access, productIds: grant.productIds, requestedAccess: row.requestedAccess, requestedProductIds: row.requestedProductIds });
      });
    },

    /** PRT-2: a pending invitation refused, withdrawn by its inviter, or lapsed (14 days). */
    async closeInvitation(input: { partnershipId: string; status: 'refused' | 'withdrawn' | 'lapsed'; by: Side | 'system'; at: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const { row } = await parties(tx, input.partnershipId);
        const moved = await tx.partnership.updateMany({ where: { id: row.id, status: 'pending' }, data: { status: input.status, respondedAt: new Date(input.at) } });
        if (moved.count > 0) await audit(tx, row, input.status, input.by, input.at, input.workflowId);
      });
    },

    /**
     * PRT-5, PRT-3: the customer changes the access, the products or the payer (the payer is the
     * partner only with complete access: a change to limited makes the customer pay). `change`
     * names the change (its key: written once however often retried).
     */
    async changePartnership(input: { partnershipId: string; change: number; grant: Grant; payer: Payer; at: string; workflowId: string }): Promise<{ grant: Grant; payer: Payer; payerChanged: boolean }> {
      return db.$transaction(async (tx) => {
        const { row } = await parties(tx, input.partnershipId);
        const grant = normalGrant(input.grant);
        const payer = payerAfter(grant, input.payer);
        const done = await tx.auditLog.findUnique({ where: { key: `psh:${row.id}:changed:${input.change}` }, select: { data: true } });
        if (done) return { grant, payer, payerChanged: (JSON.parse(done.data) as { payerBefore: string }).payerBefore !== payer };
        await checkAccess(tx, row.customerId, row.id, grant);
        await tx.partnership.update({ where: { id: row.id }, data: { access: grant.access, productIds: grant.productIds, payer } });
        await audit(tx, row, `changed:${input.change}`, 'customer', input.at, input.workflowId, {
          accessBefore: row.access, productIdsBefore: row.productIds, payerBefore: row.payer, access: grant.access, productIds: grant.productIds, payer,
        });
        return { grant, payer, payerChanged: row.payer !== payer };
      });
    },

    /** A step without a write to the row (resend, an end requested or confirmed): in the audit log only. */
    async notePartnershipEvent(input: { partnershipId: string; event: string; actor: string; at: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const { row } = await parties(tx, input.partnershipId);
        await audit(tx, row, input.event, input.actor, input.at, input.workflowId);
      });
    },

    /**
     * PRT-7: draws the one-time end code of request n of this side (crypto.randomInt), stores its
     * hash and records the e-mail that carries it to the side's account address, in one
     * transaction; returns the code's id. The code exists only in that e-mail (staff read it
     * masked); a retry finds the row and draws nothing.
     */
    async issueEndCode(input: { partnershipId: string; side: Side; request: number; workflowId: string }): Promise<{ codeId: string; emailId: string }> {
      // The API checks the expiry against the database's clock: it is set from the same real time here.
      const expiresAt = new Date(Date.now() + END_CODE_MINUTES * 60_000).toISOString();
      const codeId = endCodeId(input.partnershipId, input.side, input.request);
      const emailId = `${codeId}:email`;
      if (await db.confirmationCode.findUnique({ where: { id: codeId }, select: { id: true } })) return { codeId, emailId };
      const row = await db.partnership.findUniqueOrThrow({ where: { id: input.partnershipId } });
      const partner = await db.partner.findUniqueOrThrow({ where: { id: row.partnerId } });
      const accountId = input.side === 'customer' ? row.customerId : partner.customerId;
      const account = await db.customer.findUniqueOrThrow({ where: { id: accountId } });
      const code = Array.from({ length: END_CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
      const other = input.side === 'customer' ? `your partner ${partner.companyName}` : `your customer ${row.customerId}`;
      const body = (shown: string) =>
        [
          `You confirmed twice that you want to end the partnership ${row.id} with ${other}.`,
          `Your one-time code: ${shown}`,
          `Enter it to end the partnership: access stops at once. It is valid until ${formatDateTime(expiresAt)} and for 5 tries.`,
        ].join('\n');
      await db.$transaction(async (tx) => {
        await tx.confirmationCode.create({ data: { id: codeId, purpose: END_CODE_PURPOSE, subjectId: row.id, actor: input.side, codeHash: endCodeHash(codeId, code), expiresAt: new Date(expiresAt) } });
        // Only the latest code of this side works.
        await tx.confirmationCode.updateMany({ where: { purpose: END_CODE_PURPOSE, subjectId: row.id, actor: input.side, usedAt: null, id: { not: codeId } }, data: { expiresAt: new Date(0) } });
        await recordEmail(tx, { id: emailId, customerId: accountId, toAddress: account.email, subject: `Code to end the partnership ${row.id}`, text: body(code), maskedText: body(HIDDEN) });
        await audit(tx, row, `end-code:${input.side}:${input.request}`, input.side, new Date().toISOString(), input.workflowId, { codeId });
      });
      return { codeId, emailId };
    },

    /**
     * PRT-7, ACC-3: the partnership ends at once (access stops: partner actions read the row).
     * With a code id, only if the API found that code right (it marks it used); a signal of the
     * account closure needs none.
     */
    async endPartnership(input: { partnershipId: string; by: EndedBy; codeId: string | null; at: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const { row } = await parties(tx, input.partnershipId);
        if (input.codeId) {
          const code = await tx.confirmationCode.findUnique({ where: { id: input.codeId } });
          if (!code || code.subjectId !== row.id || code.purpose !== END_CODE_PURPOSE || code.actor !== input.by || !code.usedAt) {
            throw ApplicationFailure.create({ message: 'the end code was not confirmed (PRT-7)', type: 'WrongCode', nonRetryable: true });
          }
        }
        const moved = await tx.partnership.updateMany({ where: { id: row.id, status: { in: ['pending', 'active'] } }, data: { status: 'ended', endedAt: new Date(input.at), endedBy: input.by } });
        if (moved.count > 0) await audit(tx, row, 'ended', input.by, input.at, input.workflowId, { codeId: input.codeId });
      });
    },

    /**
     * Records the e-mails of one step (X-2) and returns their keys: the customer at its account
     * address, the partner at each legal representative's (PRT-2: they act for it), kept under
     * the partner's account (ACC-1). `to`: which side this step tells.
     */
    async composePartnershipEmails(input: { partnershipId: string; kind: PartnershipEmailKind; to: Side; key: string }): Promise<string[]> {
      const row = await db.partnership.findUniqueOrThrow({ where: { id: input.partnershipId } });
      const partner = await db.partner.findUniqueOrThrow({ where: { id: row.partnerId } });
      const customer = await db.customer.findUniqueOrThrow({ where: { id: row.customerId } });
      const grant = (access: string | null, products: string[]) => (access === 'complete' ? 'complete access (every product)' : `limited access to ${products.join(', ')}`);
      const asked = grant(row.requestedAccess, row.requestedProductIds);
      const inviter = row.requestedBy === 'partner' ? partner.companyName : customer.name;
      const about = `the partnership ${row.id} between ${customer.name} and ${partner.companyName}`;
      const texts: Record<PartnershipEmailKind, [string, string]> = {
        invitation: [`${inviter} invites you to a partnership`, `${inviter} asks for ${asked} (${about}).\nAccept or refuse it by ${formatDate(row.lapsesAt)}: an invitation left unanswered lapses after 14 days.`],
        reminder: [`Reminder: an invitation from ${inviter} lapses on ${formatDate(row.lapsesAt)}`, `${inviter} asked for ${asked} (${about}). Without an answer it lapses on ${formatDateTime(row.lapsesAt)}.`],
        lapsed: ['Your partnership invitation lapsed', `Your invitation (${about}) was not answered within 14 days and has lapsed. You may invite again.`],
        accepted: ['Your partnership invitation was accepted', `Your invitation (${about}) was accepted: ${grant(row.access, row.productIds)} is in force.`],
        refused: ['Your partnership invitation was refused', `Your invitation (${about}) was refused.`],
        withdrawn: ['A partnership invitation was withdrawn', `${inviter} withdrew its invitation (${about}).`],
        payer_changed: [`${customer.name} changed who pays`, `From now on ${row.payer === 'partner' ? `${partner.companyName} pays: invoices are in your organisation` : `${customer.name} pays: invoices are in the customer's organisation`} (${about}, PRT-5).`],
        ended: ['A partnership ended', `${about} ended ${row.endedAt ? formatDateTime(row.endedAt) : ''}: the partner's access stopped at once.`],
      };
      const [subject, text] = texts[input.kind];
      const to: { address: string; accountId: string }[] =
        input.to === 'customer' ? [{ address: customer.email, accountId: customer.id }] : (partner.legalRepresentatives as unknown as Representative[]).map((r) => ({ address: r.email, accountId: partner.customerId }));
      const ids: string[] = [];
      for (const [i, r] of to.entries()) {
        ids.push(await recordEmail(db, { id: input.to === 'customer' ? input.key : `${input.key}:rep${i + 1}`, customerId: r.accountId, toAddress: r.address, subject, text }));
      }
      return ids;
    },
  };
}
