// PRT-6 as pure rules: the partner discount, then the volume tier, each once on the unit price,
// half-up to the cent; cashback is what the customer's price is above the partner's, per unit.
import { describe, expect, it } from 'vitest';
import { cashbackApplies, cashbackCents, resellerDiscountApplies, unitPrices, volumeTierBp } from '../domain/partner-pricing';

const HOSTING_TIERS = [
  { fromQuantity: 5, discountBp: 1000 },
  { fromQuantity: 35, discountBp: 2500 },
];

describe('partner pricing (PRT-6)', () => {
  it('PRT-6: 35 web hostings at 347.20 CHF, −20 % then −25 %, are 208.32 each; 201.25 EUR gives 161.00 then 120.75', () => {
    expect(unitPrices({ publicUnitCents: 34720, partnerDiscountBp: 2000, tiers: [], quantity: 35 }).partnerUnitCents).toBe(27776);
    expect(unitPrices({ publicUnitCents: 34720, partnerDiscountBp: 2000, tiers: HOSTING_TIERS, quantity: 35 })).toEqual({ publicUnitCents: 26040, partnerUnitCents: 20832 });
    expect(unitPrices({ publicUnitCents: 20125, partnerDiscountBp: 2000, tiers: [], quantity: 35 }).partnerUnitCents).toBe(16100);
    expect(unitPrices({ publicUnitCents: 20125, partnerDiscountBp: 2000, tiers: HOSTING_TIERS, quantity: 35 }).partnerUnitCents).toBe(12075);
    // The stack is a total of −40 %, exactly: 1 − 0.8 × 0.75.
    expect(34720 - 20832).toBe(34720 * 0.4);
  });

  it('PRT-6: the best tier reached applies (34 hostings: −10 %; 35: −25 %), and a discount rounds half-up once', () => {
    expect(volumeTierBp(HOSTING_TIERS, 4)).toBe(0);
    expect(volumeTierBp(HOSTING_TIERS, 34)).toBe(1000);
    expect(volumeTierBp(HOSTING_TIERS, 35)).toBe(2500);
    // Tiers listed in any order: still the best one reached.
    expect(volumeTierBp([...HOSTING_TIERS].reverse(), 100)).toBe(2500);
    // 0.05 × 1001 = 50.05 off → 50 off; 0.05 × 1010 = 50.5 → 51 off (half-up).
    expect(unitPrices({ publicUnitCents: 1001, partnerDiscountBp: 500, tiers: [], quantity: 1 }).partnerUnitCents).toBe(951);
    expect(unitPrices({ publicUnitCents: 1010, partnerDiscountBp: 500, tiers: [], quantity: 1 }).partnerUnitCents).toBe(959);
  });

  it('PRT-6: cashback is (public − partner price) × quantity, both after the tier: 35 × (260.40 − 208.32) CHF = 1822.80 CHF', () => {
    const prices = unitPrices({ publicUnitCents: 34720, partnerDiscountBp: 2000, tiers: HOSTING_TIERS, quantity: 35 });
    expect(cashbackCents(prices, 35)).toBe(182280);
    expect(cashbackCents(unitPrices({ publicUnitCents: 1000, partnerDiscountBp: 0, tiers: [], quantity: 1 }), 1)).toBe(0);
    // A customer with the POL-3 20 % discount already pays the partner price: nothing is left to pay back.
    expect(cashbackCents(unitPrices({ publicUnitCents: 34720, partnerDiscountBp: 2000, tiers: [], quantity: 1 }), 1, 2000)).toBe(0);
    expect(cashbackCents(unitPrices({ publicUnitCents: 34720, partnerDiscountBp: 2500, tiers: [], quantity: 2 }), 2, 2000)).toBe(2 * (27776 - 26040));
  });

  it('PRT-4, PRT-6: the seed table — cashback under complete access unless discounted, under limited only on its products; the discount only to a complete partner paying', () => {
    expect(cashbackApplies({ access: 'complete', managesProduct: false, discounted: false })).toBe(true);
    expect(cashbackApplies({ access: 'complete', managesProduct: false, discounted: true })).toBe(false);
    expect(cashbackApplies({ access: 'limited', managesProduct: true, discounted: false })).toBe(true);
    expect(cashbackApplies({ access: 'limited', managesProduct: false, discounted: false })).toBe(false);
    expect(cashbackApplies({ access: null, managesProduct: false, discounted: false })).toBe(false);
    expect(resellerDiscountApplies({ access: 'complete', payer: 'partner' })).toBe(true);
    expect(resellerDiscountApplies({ access: 'complete', payer: 'customer' })).toBe(false);
    expect(resellerDiscountApplies({ access: 'limited', payer: 'partner' })).toBe(false);
  });
});
