// PRT-6: reseller prices, volume tiers and cashback, as pure rules in integer cents. Each discount
// is taken off the unit price once, rounded half-up to the cent (domain/money.ts percentOf), in
// this order: the partner discount, then the volume tier on what the partner discount left.
//   35 web hostings at 347.20 CHF: −20 % = 277.76, −25 % = 208.32 (201.25 EUR: 161.00, 120.75).
import { percentOf } from './money';

// A type (not an interface): stored as is in Offer.volumeTiers (JSON).
export type VolumeTier = {
  fromQuantity: number;
  discountBp: number;
};

export type PartnerAccess = 'limited' | 'complete';
export type Payer = 'customer' | 'partner';

/** The best tier a quantity reaches: the largest discount among those whose fromQuantity ≤ quantity (0: none). */
export function volumeTierBp(tiers: readonly VolumeTier[], quantity: number): number {
  return tiers.filter((t) => t.fromQuantity <= quantity).reduce((best, t) => Math.max(best, t.discountBp), 0);
}

const off = (unitCents: number, bp: number) => unitCents - percentOf(unitCents, bp);

/** PRT-6: a unit price with the volume tier its quantity reaches (checkout and each renewal). */
export function withVolumeTier(unitCents: number, tiers: readonly VolumeTier[], quantity: number): number {
  return off(unitCents, volumeTierBp(tiers, quantity));
}

export interface UnitPrices {
  /** What anyone pays per unit: the public price with the volume tier (PRT-6: the tier is for everyone). */
  publicUnitCents: number;
  /** The reseller's price per unit: the partner discount, then the volume tier. */
  partnerUnitCents: number;
}

export function unitPrices(p: { publicUnitCents: number; partnerDiscountBp: number; tiers: readonly VolumeTier[]; quantity: number }): UnitPrices {
  const tier = volumeTierBp(p.tiers, p.quantity);
  return { publicUnitCents: off(p.publicUnitCents, tier), partnerUnitCents: off(off(p.publicUnitCents, p.partnerDiscountBp), tier) };
}

/** How a payment came about, for the seed table. */
export interface PaymentContext {
  /** The partnership in force at the payment (null: none). */
  access: PartnerAccess | null;
  /** Limited access: whether the partner manages the line's product. */
  managesProduct: boolean;
  /** The payment was priced with the reseller discount (a complete partner's order on its own payment method). */
  discounted: boolean;
}

/** PRT-4, PRT-6: the reseller discount goes to a complete partner paying with its own payment method. */
export function resellerDiscountApplies(p: { access: PartnerAccess | null; payer: Payer }): boolean {
  return p.access === 'complete' && p.payer === 'partner';
}

/**
 * PRT-6, the seed table: cashback on the customer's purchases and renewals of what the partner
 * manages — any product under complete access (placed by the customer, or by the partner on the
 * customer's payment method), the partner's products under limited access — and never on a
 * payment that already had the reseller discount.
 */
export function cashbackApplies(c: PaymentContext): boolean {
  if (c.discounted) return false;
  if (c.access === 'complete') return true;
  return c.access === 'limited' && c.managesProduct;
}

/**
 * PRT-6: cashback = (public price − partner price) × quantity, both after the volume tier. A
 * customer who paid less than the public price (a POL-3 discount, `customerDiscountBp`) leaves the
 * partner only what it paid above the partner price (house rule: the marketplace never pays out more).
 */
export function cashbackCents(prices: UnitPrices, quantity: number, customerDiscountBp = 0): number {
  const paid = prices.publicUnitCents - percentOf(prices.publicUnitCents, customerDiscountBp);
  return Math.max(0, paid - prices.partnerUnitCents) * quantity;
}
