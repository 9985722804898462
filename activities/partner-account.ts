// PRT-5: a partner company acts through its own customer account; what it pays for (invoices,
// e-mails about charges) goes to that account.
import type { Db } from '../infra/db';

export async function partnerAccountOf(db: Db, partnerId: string): Promise<{ id: string; email: string }> {
  const partner = await db.partner.findUniqueOrThrow({ where: { id: partnerId }, select: { customerId: true } });
  return db.customer.findUniqueOrThrow({ where: { id: partner.customerId }, select: { id: true, email: true } });
}
