// PYO-1: where a seller is paid. The seller states its bank account (IBAN and holder); the IBAN is
// checked (country, length, mod-97 checksum: ibantools) and the holder must be the seller's legal
// name (house rule, as onboarding checks the bank details document: a payout never goes to another
// name). A closed or suspended seller may still change it: it is still paid what is due (MED-5).
// The IBAN stays in the database (a payout's activity reads it by seller id, never a payload) and
// is answered masked; a change is audited and the seller e-mailed, so a change nobody asked
// for is noticed before the next payout day.
import { electronicFormatIBAN, validateIBAN, ValidationErrorsIBAN } from 'ibantools';
import { recordEmail } from '../../activities/emails';
import { writeAudit } from '../../activities/audit';
import { actorOf, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { startEmailDelivery } from '../email-delivery';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

const sellerAnyStatus = (p: Principal) => p.kind === 'seller';

const accountView = z
  .strictObject({
    sellerId: z.string(),
    holder: z.string(),
    iban: z.string().openapi({ description: 'Masked: the country, check digits and last four characters' }),
    updatedAt: z.string(),
  })
  .openapi('PayoutAccount');

const IBAN_ERRORS: Partial<Record<ValidationErrorsIBAN, string>> = {
  [ValidationErrorsIBAN.NoIBANCountry]: 'is not an IBAN of a known country',
  [ValidationErrorsIBAN.WrongBBANLength]: 'has the wrong length for its country',
  [ValidationErrorsIBAN.WrongBBANFormat]: 'does not have its country’s format',
  [ValidationErrorsIBAN.ChecksumNotNumber]: 'has check digits that are not digits',
  [ValidationErrorsIBAN.WrongIBANChecksum]: 'fails its checksum (a mistyped character?)',
  [ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: 'fails its national checksum (a mistyped character?)',
};

const ibanField = z
  .string()
  .min(1, 'is required')
  .max(64, 'is too long for an IBAN')
  .transform((text, ctx) => {
    const iban = electronicFormatIBAN(text) ?? '';
    const result = validateIBAN(iban);
    if (!result.valid) {
      ctx.addIssue({ code: 'custom', message: IBAN_ERRORS[result.errorCodes[0]] ?? 'is not a valid IBAN' });
      return z.NEVER;
    }
    return iban;
  })
  .openapi({ type: 'string', example: 'FR76 3000 6000 0112 3456 7890 189' });

const masked = (iban: string) => `${iban.slice(0, 4)}${'•'.repeat(Math.max(0, iban.length - 8))}${iban.slice(-4)}`;
const sameName = (a: string, b: string) => a.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase() === b.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

export function registerPayoutAccountRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/seller/payout-account',
    tag: 'payouts',
    summary: "The calling seller's bank account for payouts, masked (PYO-1, X-6)",
    allow: sellerAnyStatus,
    responses: { 200: { description: 'The bank account', schema: accountView }, 404: { description: 'None stated yet: payouts wait, finance is alerted on each payout day' } },
    handler: async ({ principal }) => {
      const sellerId = principal.kind === 'seller' ? principal.sellerId : '';
      const account = await deps.db.payoutAccount.findUnique({ where: { sellerId } });
      if (!account) throw Problem.notFound('no bank account is on file for payouts');
      return { status: 200, body: { sellerId, holder: account.holder, iban: masked(account.iban), updatedAt: account.updatedAt.toISOString() } };
    },
  });

  routes.add({
    method: 'post',
    path: '/seller/payout-account',
    tag: 'payouts',
    summary: "States the calling seller's bank account for payouts (PYO-1): a valid IBAN in the seller's legal name; replaces the previous one from the next payout",
    allow: sellerAnyStatus,
    body: z.strictObject({ iban: ibanField, holder: z.string().trim().min(1, 'is required').max(200) }),
    responses: {
      200: { description: 'The bank account, masked', schema: accountView },
      422: { description: "The holder is not the seller's legal name" },
    },
    handler: async ({ principal, body }) => {
      const sellerId = principal.kind === 'seller' ? principal.sellerId : '';
      const seller = await deps.db.seller.findUniqueOrThrow({ where: { id: sellerId } });
      if (!sameName(body.holder, seller.legalName)) {
        throw Problem.unprocessable('holder_mismatch', 'Bank account in another name', `the holder must be the seller's legal name, ${seller.legalName}`, { errors: [{ field: 'body.holder', message: `must be ${seller.legalName}` }] });
      }
      const now = new Date();
      const emailId = `payout-account:${sellerId}:${now.toISOString()}`;
      const auditKey = `payout-account:${sellerId}:${now.toISOString()}`;
      const previous = await deps.db.payoutAccount.findUnique({ where: { sellerId } });
      const account = await deps.db.$transaction(async (tx) => {
        const saved = await tx.payoutAccount.upsert({ where: { sellerId }, create: { sellerId, iban: body.iban, holder: body.holder }, update: { iban: body.iban, holder: body.holder } });
        await writeAudit(tx, { key: auditKey, at: now.toISOString(), actor: actorOf(principal), action: 'payout_account.stated', entityType: 'seller', entityId: sellerId, data: { iban: masked(body.iban) } });
        await recordEmail(tx, {
          id: emailId,
          customerId: null,
          toAddress: seller.contactEmail,
          subject: 'Your bank account for payouts changed',
          text: `Payouts will now be sent to ${masked(body.iban)} (${body.holder}), from the next payout day. If you did not make this change, contact the marketplace at once.`,
        });
        return saved;
      });
      try {
        await startEmailDelivery(deps, emailId, `bank account changed, seller ${sellerId}`);
      } catch (err) {
        // Nothing would tell the seller: the change is undone (the previous account back) and the caller asks again (503).
        await deps.db.$transaction([
          previous
            ? deps.db.payoutAccount.update({ where: { sellerId }, data: { iban: previous.iban, holder: previous.holder, updatedAt: previous.updatedAt } })
            : deps.db.payoutAccount.delete({ where: { sellerId } }),
          deps.db.auditLog.deleteMany({ where: { key: auditKey } }),
          deps.db.email.deleteMany({ where: { id: emailId, status: 'queued' } }),
        ]);
        throw err;
      }
      return { status: 200, body: { sellerId, holder: account.holder, iban: masked(account.iban), updatedAt: account.updatedAt.toISOString() } };
    },
  });
}
