// A payout as a payout day leaves one when nothing was due (its statement empty and reconciled):
// a fixture for the routes that read payouts, without running a payout day.
import type { StatementContent } from '../../domain/payout-statement';
import type { Db } from '../../infra/db';

export async function nothingDuePayout(db: Db, sellerId: string, date: string): Promise<string> {
  const payoutId = `payout:${sellerId}:EUR:${date}`;
  const cutoff = `${date}T22:59:59.999Z`;
  const content: StatementContent = {
    payoutId, sellerId, sellerName: sellerId, currency: 'EUR', date, cutoff,
    openingCents: 0, rows: [], movementsCents: 0, closingCents: 0, payoutCents: 0, deficitInCents: 0, deficitOutCents: 0, status: 'nothing_due', held: [],
  };
  await db.payout.create({ data: { id: payoutId, sellerId, currency: 'EUR', date, cutoff: new Date(cutoff), status: 'nothing_due', amountCents: 0n, releasedCents: 0n } });
  await db.payoutStatement.create({ data: { payoutId, sellerId, currency: 'EUR', date, openingCents: 0n, movementsCents: 0n, closingCents: 0n, accountCents: 0n, reconciled: true, content: content as never } });
  return payoutId;
}
