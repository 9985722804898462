// Seller applications (KYC-1): what is missing is assessed from the database (documents travel by
// id), the submission, ops' decision (the Seller row made with the application's status, one
// transaction), the lapse, and the e-mails to the contact address. Each write is keyed by the
// application and its step; the audit log (X-4) has each step once.
import { randomBytes } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { applicationDeadlines, missingDocuments, sellerIdOf, type ApplicationStatus, type Missing, type Person } from '../domain/seller-application';
import { formatDate, formatDateTime } from '../domain/time-format';
import { sha256 } from '../infra/hmac';
import type { ActivityDeps } from './deps';
import { writeAudit } from './audit';
import { HIDDEN } from './email-templates';
import { recordEmail } from './emails';
import { sellerVatNumber } from '../domain/billing-identity';

export type ApplicationEmailKind = 'received' | 'reminder' | 'lapsed' | 'submitted' | 'approved' | 'rejected';

/** House rule: the approval's sign-in link works once, for 72 hours (a later link: POST /auth/sign-in is for customers). */
export const SELLER_ACCESS_LINK_HOURS = 72;

export interface Assessment {
  status: ApplicationStatus;
  missing: Missing[];
  submittedAt: string | null;
}

export function createSellerApplicationActivities(deps: ActivityDeps) {
  const { db } = deps;
  const audit = (tx: Prisma.TransactionClient, applicationId: string, event: string, actor: string, at: string, workflowId: string, data: Record<string, unknown> = {}) =>
    writeAudit(tx, { key: `sapp:${applicationId}:${event}`, at, actor, action: `seller_application.${event}`, entityType: 'seller_application', entityId: applicationId, workflowId, data });

  return {
    /**
     * KYC-1: what is missing or stale as of `at` (the candidate submission instant: the arrival
     * of a document). Nothing missing: the application is submitted at `at`. Once submitted it stays so.
     */
    async assessApplication(input: { applicationId: string; at: string; workflowId: string; documentId?: string }): Promise<Assessment> {
      return db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT "id" FROM "SellerApplication" WHERE "id" = ${input.applicationId} FOR UPDATE`;
        const app = await tx.sellerApplication.findUniqueOrThrow({ where: { id: input.applicationId } });
        if (app.status !== 'incomplete') return { status: app.status as ApplicationStatus, missing: app.missing as unknown as Missing[], submittedAt: app.submittedAt?.toISOString() ?? null };
        const docs = await tx.sellerDocument.findMany({ where: { applicationId: app.id }, orderBy: [{ uploadedAt: 'asc' }, { id: 'asc' }] });
        const missing = missingDocuments({ companyName: app.companyName, representatives: app.representatives as unknown as Person[], beneficialOwners: app.beneficialOwners as unknown as Person[] }, docs, input.at);
        const submitted = missing.length === 0;
        await tx.sellerApplication.update({ where: { id: app.id }, data: { missing: missing as unknown as Prisma.InputJsonValue, ...(submitted ? { status: 'submitted', submittedAt: new Date(input.at) } : {}) } });
        if (input.documentId) await audit(tx, app.id, `document:${input.documentId}`, 'applicant', input.at, input.workflowId, { documentId: input.documentId, missing: missing.map((m) => m.code) });
        if (submitted) await audit(tx, app.id, 'submitted', 'applicant', input.at, input.workflowId);
        return { status: submitted ? 'submitted' : 'incomplete', missing, submittedAt: submitted ? input.at : null };
      });
    },

    /** KYC-1: ops approve (the Seller row, approved, made in the same transaction) or reject with a reason. */
    async decideApplication(input: { applicationId: string; approve: boolean; staff: string; reason: string | null; at: string; workflowId: string }): Promise<{ sellerId: string | null }> {
      return db.$transaction(async (tx) => {
        const app = await tx.sellerApplication.findUniqueOrThrow({ where: { id: input.applicationId } });
        if (app.status === 'approved' || app.status === 'rejected') return { sellerId: app.sellerId };
        const sellerId = input.approve ? sellerIdOf(app.id) : null;
        if (sellerId) {
          await tx.seller.upsert({
            where: { id: sellerId },
            create: {
              id: sellerId, name: app.companyName, legalName: app.companyName, contactEmail: app.contactEmail, contactPhone: app.contactPhone, address: app.address, status: 'approved',
              // INV-1: what every document in its name will show, and the mandate it accepted.
              registrationNumber: app.registrationNumber, vatNumber: sellerVatNumber(app.vatNumber, app.registrationNumber),
              billingMandateVersion: app.billingMandateVersion, billingMandateAcceptedAt: app.billingMandateAcceptedAt,
            },
            update: {},
          });
        }
        await tx.sellerApplication.update({ where: { id: app.id }, data: { status: input.approve ? 'approved' : 'rejected', decidedAt: new Date(input.at), decidedBy: input.staff, reason: input.reason, sellerId } });
        await audit(tx, app.id, input.approve ? 'approved' : 'rejected', input.staff, input.at, input.workflowId, { sellerId, reason: input.reason });
        return { sellerId };
      });
    },

    /** House rule: incomplete 30 days after it was made, the application lapses. */
    async lapseApplication(input: { applicationId: string; at: string; workflowId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const moved = await tx.sellerApplication.updateMany({ where: { id: input.applicationId, status: 'incomplete' }, data: { status: 'lapsed', decidedAt: new Date(input.at) } });
        if (moved.count > 0) await audit(tx, input.applicationId, 'lapsed', 'system', input.at, input.workflowId);
      });
    },

    /**
     * Records one e-mail to the contact address in the outbox (X-2). The approval's carries a
     * single-use sign-in link for the new seller (X-8): the token is made here, stored hashed, and
     * never leaves this activity but in the e-mail (the staff copy hides it).
     */
    async composeApplicationEmail(input: { applicationId: string; kind: ApplicationEmailKind; key: string }): Promise<string> {
      if (await db.email.findUnique({ where: { id: input.key }, select: { id: true } })) return input.key; // a retry: the first one stands
      const app = await db.sellerApplication.findUniqueOrThrow({ where: { id: input.applicationId } });
      const missing = (app.missing as unknown as Missing[]).map((m) => `- ${m.message}`).join('\n');
      const { lapsesAt } = applicationDeadlines(app.createdAt.toISOString());
      const about = `seller application ${app.id} (${app.companyName})`;
      const to = { id: input.key, customerId: null, toAddress: app.contactEmail };
      if (input.kind === 'approved') {
        const token = randomBytes(32).toString('base64url');
        const expiresAt = new Date(Date.now() + SELLER_ACCESS_LINK_HOURS * 3_600_000);
        const body = (link: string) =>
          `Your ${about} is approved: ${app.companyName} is a seller on the marketplace.\nOpen this link to get your seller access: ${link}\nIt works once, until ${formatDateTime(expiresAt)}.`;
        const link = `${deps.publicUrl}/auth/sign-in?token=${token}`;
        await db.$transaction(async (tx) => {
          await tx.signInToken.create({ data: { hash: sha256(token), sellerId: app.sellerId, expiresAt } });
          await recordEmail(tx, { ...to, subject: `Approved: ${app.companyName} is a seller`, text: body(link), maskedText: body(HIDDEN) });
        });
        return input.key;
      }
      const texts: Record<Exclude<ApplicationEmailKind, 'approved'>, [string, string]> = {
        received: [`Application received: ${app.companyName}`, `We received your ${about}.${missing ? `\nStill missing:\n${missing}\nAdd them by ${formatDate(lapsesAt)}: an application left incomplete lapses after 30 days.` : ''}`],
        reminder: [`Reminder: your application lapses on ${formatDate(lapsesAt)}`, `Your ${about} is still incomplete. Missing:\n${missing}\nWithout them it lapses on ${formatDateTime(lapsesAt)} (30 days after it was made).`],
        lapsed: [`Application lapsed: ${app.companyName}`, `Your ${about} stayed incomplete for 30 days and has lapsed. Missing were:\n${missing}\nYou may apply again.`],
        submitted: [`Application submitted: ${app.companyName}`, `Every document of your ${about} is in: it is submitted and ops will review it.`],
        rejected: [`Application rejected: ${app.companyName}`, `Your ${about} was rejected. Reason: ${app.reason ?? ''}`],
      };
      const [subject, text] = texts[input.kind];
      return recordEmail(db, { ...to, subject, text });
    },
  };
}
