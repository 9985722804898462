// POL-3: the 20 % a verified charity or education customer gets on an offer its seller marked
// eligible. Checkout asks at the payment instant, a renewal at its due date: a verification counts
// while it has not expired (expiresAt > at), so one that lapses stops the discount from the next
// period on. Read only; it takes a transaction too, so checkout prices inside its own.
import type { Prisma } from '@prisma/client';
import { DISCOUNT_BP, type DiscountKind } from '../domain/commercial-policy';

export interface VerifiedDiscount {
  kind: DiscountKind;
  bp: number;
  verificationId: string;
}

export async function discountFor(
  db: Pick<Prisma.TransactionClient, 'customerVerification'>,
  { customerId, offerDiscountEligible, at }: { customerId: string; offerDiscountEligible: boolean; at: Date | string },
): Promise<VerifiedDiscount | null> {
  if (!offerDiscountEligible) return null;
  // Several valid ones (a renewal recorded before the old one lapsed): the latest-expiring one, so
  // the discount names the verification that lasts longest; ties go to the newest record.
  const found = await db.customerVerification.findFirst({
    where: { customerId, expiresAt: { gt: new Date(at) } },
    orderBy: [{ expiresAt: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }],
  });
  return found ? { kind: found.kind as DiscountKind, bp: DISCOUNT_BP, verificationId: found.id } : null;
}
