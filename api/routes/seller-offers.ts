// Sellers publish offers (ORD-2, POL-5; README "Offers and terms") with their commercial policies
// (POL-1 trial, POL-3 discount eligibility, POL-4 product kind, POL-6 period restriction). An offer
// is a product in versions: an edit writes version n+1 as a new Offer row and retires the previous
// one in the same transaction, so lines (and the renewals that reload their offer row, SUB-3) keep
// the version they bought. Only approved sellers publish (KYC-1); a suspended or closed seller's
// key does nothing here (MED-1, MED-5); a seller sees and edits only its own products (X-6:
// others' are 404).
import { randomUUID } from 'node:crypto';
import type { Offer, Prisma } from '@prisma/client';
import { writeAudit } from '../../activities/audit';
import { MAX_QUANTITY, MAX_TRIAL_DAYS, PRODUCT_KINDS, YEARLY_PERIODS } from '../../domain/commercial-policy';
import { BILLING_PERIODS, MAX_COMMITMENT_MONTHS, MAX_PRICE_CENTS, MAX_VAT_RATE_BP, OFFER_CURRENCIES, periodRestrictionRefusal, productOf, publishRefusal } from '../../domain/offer';
import type { VolumeTier } from '../../domain/partner-pricing';
import { SUPPORT_TIERS } from '../../domain/support';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import type { IdempotencySpec } from '../idempotency';
import { listQuery, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import { offerStated, offerStatedShape } from '../response-schemas';
import type { RouteTable } from '../route';
import { z } from '../zod';

const whole = (min: number, max: number, what: string) =>
  z.number({ error: `must be ${what}` }).int(`must be a whole number (${what})`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** What a seller states of an offer: an edit restates it whole, so none of it is left to a default there. */
const stated = {
  name: z.string().trim().min(1, 'must not be empty').max(120),
  description: z.string().trim().max(5_000),
  priceCents: whole(1, MAX_PRICE_CENTS, 'the price per billing period excl. VAT, in cents'),
  currency: z.enum(OFFER_CURRENCIES, { error: `must be one of: ${OFFER_CURRENCIES.join(', ')} (ISO 4217)` }),
  vatRateBp: whole(0, MAX_VAT_RATE_BP, 'the VAT rate in basis points, 2000 = 20 %'),
  billingPeriod: z.enum(BILLING_PERIODS, { error: `must be one of: ${BILLING_PERIODS.join(', ')}` }),
  commitmentMonths: whole(0, MAX_COMMITMENT_MONTHS, 'months of commitment, 0 = none'),
  supportTier: z.enum(SUPPORT_TIERS, { error: `must be one of: ${SUPPORT_TIERS.join(', ')}` }),
};
/** The commercial policies of an offer: optional everywhere, an edit keeps those it leaves out. */
const policies = {
  trialDays: whole(0, MAX_TRIAL_DAYS, 'days of free trial, 0 = none (POL-1)'),
  allowedPeriods: z
    .array(z.enum(YEARLY_PERIODS, { error: `must be one of: ${YEARLY_PERIODS.join(', ')} (POL-6)` }), { error: 'must be an array of billing periods' })
    .refine((periods) => new Set(periods).size === periods.length, 'must not list a period twice'),
  discountEligible: z.boolean({ error: 'must be true or false (POL-3)' }),
  productKind: z.enum(PRODUCT_KINDS, { error: `must be one of: ${PRODUCT_KINDS.join(', ')} (POL-4)` }),
  // PRT-6: the reseller discount, then the volume tiers (the best one reached applies to everyone).
  partnerDiscountBp: whole(0, 10_000, 'the reseller discount in basis points, 2000 = 20 %, 0 = none (PRT-6)'),
  volumeTiers: z
    .array(z.strictObject({ fromQuantity: whole(2, MAX_QUANTITY, 'the quantity the tier starts at'), discountBp: whole(1, 10_000, 'the tier discount in basis points (PRT-6)') }), { error: 'must be an array of { fromQuantity, discountBp }' })
    .max(20, 'must have at most 20 tiers')
    .refine((tiers) => new Set(tiers.map((t) => t.fromQuantity)).size === tiers.length, 'must not start two tiers at one quantity'),
};
/** A new offer: what it leaves out takes the defaults (no description, EUR, no commitment, basic support, no trial, no restriction, no discount, a subscription). */
export const offerFields = z
  .object({
    ...stated,
    description: stated.description.default(''),
    currency: stated.currency.default('EUR'),
    commitmentMonths: stated.commitmentMonths.default(0),
    supportTier: stated.supportTier.default('basic'),
    trialDays: policies.trialDays.default(0),
    allowedPeriods: policies.allowedPeriods.default([]),
    discountEligible: policies.discountEligible.default(false),
    productKind: policies.productKind.default('subscription'),
    partnerDiscountBp: policies.partnerDiscountBp.default(0),
    volumeTiers: policies.volumeTiers.default([]),
  })
  .strict();
type OfferFields = z.infer<typeof offerFields>;
/**
 * An edit: every stated field restated (a field left out would otherwise fall back to its default,
 * e.g. a CHF offer to EUR); a policy left out keeps the previous version's.
 */
const versionBody = z
  .object({
    ...stated,
    trialDays: policies.trialDays.optional(),
    allowedPeriods: policies.allowedPeriods.optional(),
    discountEligible: policies.discountEligible.optional(),
    productKind: policies.productKind.optional(),
    partnerDiscountBp: policies.partnerDiscountBp.optional(),
    volumeTiers: policies.volumeTiers.optional(),
    baseVersion: whole(1, 1_000_000, 'the version this edit replaces (the latest one)'),
  })
  .strict();

/** POL-6: a restriction the house rule refuses is a 422 naming body.allowedPeriods (the schema cannot see an edit's kept value). */
function checkPeriodRestriction(offer: { billingPeriod: string; allowedPeriods: string[] }): void {
  const refusal = periodRestrictionRefusal(offer);
  if (refusal) {
    throw Problem.unprocessable('period-restriction', 'Billing period restriction refused', refusal, { errors: [{ field: 'body.allowedPeriods', message: refusal }] });
  }
}

const iso = z.string();
export const sellerOfferView = z
  .strictObject({
    offerId: z.string().describe('What checkout orders: this version'),
    ...offerStatedShape,
    sellerId: z.string(),
    published: z.boolean(),
    createdAt: iso,
    retiredAt: iso.nullable(),
    supersededBy: z.string().nullable(),
    partnerDiscountBp: z.number().int(),
    volumeTiers: z.array(z.strictObject({ fromQuantity: z.number().int(), discountBp: z.number().int() })),
  })
  .openapi('SellerOffer');
const productView = z
  .strictObject({ productId: z.string(), sellerId: z.string(), latest: sellerOfferView, versions: z.array(sellerOfferView).describe('Newest first') })
  .openapi('SellerProduct');
export const productPage = pageOf(productView).openapi('SellerProductPage');
const productParams = z.object({ productId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a product id') });

function viewOf(o: Offer): z.infer<typeof sellerOfferView> {
  return {
    offerId: o.id,
    ...offerStated(o),
    sellerId: o.sellerId,
    published: o.published,
    createdAt: o.createdAt.toISOString(),
    retiredAt: o.retiredAt?.toISOString() ?? null,
    supersededBy: o.supersededById,
    partnerDiscountBp: o.partnerDiscountBp,
    volumeTiers: o.volumeTiers as unknown as VolumeTier[],
  };
}

const sellerOf = (p: Principal) => (p.kind === 'seller' ? p.sellerId : '');
/** Rows of one product: its id, or a row that is its own product (productId null). */
const ofProduct = (productId: string): Prisma.OfferWhereInput => ({ OR: [{ productId }, { productId: null, id: productId }] });

/**
 * Locks the seller's row for the transaction (publications of one seller run one after another,
 * so version numbers and the current terms never race) and refuses a seller that may not publish.
 */
export async function lockPublishingSeller(tx: Prisma.TransactionClient, sellerId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "Seller" WHERE "id" = ${sellerId} FOR UPDATE`;
  const seller = await tx.seller.findUniqueOrThrow({ where: { id: sellerId } });
  const refusal = publishRefusal(seller);
  if (refusal) throw new Problem(403, 'seller-may-not-publish', 'Seller may not publish', refusal, { seller: { sellerId, name: seller.name, status: seller.status } });
}

export function registerSellerOfferRoutes(routes: RouteTable, deps: ApiDeps): void {
  /** The product's latest version (the head of its versions), the caller's own, or 404. */
  async function head(tx: Prisma.TransactionClient, sellerId: string, productId: string): Promise<Offer> {
    const found = await tx.offer.findFirst({ where: { AND: [ofProduct(productId), { sellerId, supersededById: null }] } });
    if (!found) throw Problem.notFound(`you have no product ${productId}`);
    return found;
  }
  async function productAnswer(productId: string, status: number) {
    const versions = await deps.db.offer.findMany({ where: ofProduct(productId), orderBy: { version: 'desc' } });
    return { status, body: { productId, sellerId: versions[0].sellerId, latest: viewOf(versions[0]), versions: versions.map(viewOf) } };
  }

  const createIdempotency: IdempotencySpec<OfferFields> = {
    scope: 'seller-offer',
    caller: (_body, actor) => actor,
    fingerprint: (body) => body,
    resume: (productId) => productAnswer(productId, 201),
  };

  routes.add({
    method: 'post',
    path: '/seller/offers',
    tag: 'seller offers',
    summary: 'Publish a new offer, version 1 of a new product (KYC-1: approved sellers only); Idempotency-Key makes a retry safe',
    allow: allow.seller,
    body: offerFields,
    idempotency: createIdempotency,
    responses: {
      201: { description: 'The product and its version 1, published', schema: productView },
      403: { description: 'The seller is not approved, or is suspended or closed' },
      422: { description: 'POL-6: allowedPeriods on an offer that is not annual' },
    },
    handler: async ({ principal, body, idempotency }) => {
      const sellerId = sellerOf(principal);
      checkPeriodRestriction(body);
      const productId = `prd_${randomUUID()}`;
      await deps.db.$transaction(async (tx) => {
        await lockPublishingSeller(tx, sellerId);
        await idempotency!.claim(tx, productId);
        const offer = await tx.offer.create({ data: { id: `off_${randomUUID()}`, productId, version: 1, sellerId, published: true, ...body } });
        await writeAudit(tx, { key: `offer:${offer.id}:published`, at: offer.createdAt.toISOString(), actor: actorOf(principal), action: 'offer.published', entityType: 'offer', entityId: offer.id, data: { productId, version: 1 } });
      });
      return productAnswer(productId, 201);
    },
  });

  routes.add({
    method: 'post',
    path: '/seller/offers/:productId/versions',
    tag: 'seller offers',
    summary: 'Edit an offer: publishes version n+1 and retires version n in one transaction; lines on version n keep its price and terms',
    allow: allow.seller,
    params: productParams,
    body: versionBody,
    responses: {
      201: { description: 'The product with its new version published', schema: productView },
      403: { description: 'The seller is not approved, or is suspended or closed' },
      404: { description: 'No such product of the caller' },
      409: { description: 'baseVersion is not the latest version (another edit came first, or this one was already made)' },
      422: { description: 'POL-6: allowedPeriods (stated or kept) on an offer that is not annual' },
    },
    handler: async ({ principal, params, body }) => {
      const sellerId = sellerOf(principal);
      const { baseVersion, trialDays, allowedPeriods, discountEligible, productKind, partnerDiscountBp, volumeTiers, ...fields } = body;
      await deps.db.$transaction(async (tx) => {
        await lockPublishingSeller(tx, sellerId);
        const previous = await head(tx, sellerId, params.productId);
        if (previous.version !== baseVersion) {
          throw Problem.conflict(`version ${previous.version} is the latest of ${params.productId}, not ${baseVersion}: edit from it`, {
            currentVersion: previous.version,
            offerId: previous.id,
            errors: [{ field: 'body.baseVersion', message: `the latest version is ${previous.version}` }],
          });
        }
        const kept = {
          trialDays: trialDays ?? previous.trialDays,
          allowedPeriods: allowedPeriods ?? previous.allowedPeriods,
          discountEligible: discountEligible ?? previous.discountEligible,
          productKind: productKind ?? previous.productKind,
          partnerDiscountBp: partnerDiscountBp ?? previous.partnerDiscountBp,
          volumeTiers: volumeTiers ?? (previous.volumeTiers as Prisma.InputJsonValue),
        };
        checkPeriodRestriction({ billingPeriod: fields.billingPeriod, allowedPeriods: kept.allowedPeriods });
        const productId = productOf(previous);
        const now = new Date();
        const offer = await tx.offer.create({ data: { id: `off_${randomUUID()}`, productId, version: previous.version + 1, sellerId, published: true, createdAt: now, ...fields, ...kept } });
        // The retired version takes no new orders; its row (price, VAT, period) stays as the lines bought it.
        await tx.offer.update({ where: { id: previous.id }, data: { productId, published: false, retiredAt: now, supersededById: offer.id } });
        await writeAudit(tx, {
          key: `offer:${offer.id}:published`, at: now.toISOString(), actor: actorOf(principal), action: 'offer.version_published', entityType: 'offer', entityId: offer.id,
          data: { productId, version: offer.version, replaces: previous.id, priceCents: { from: previous.priceCents, to: offer.priceCents } },
        });
      });
      return productAnswer(params.productId, 201);
    },
  });

  routes.add({
    method: 'post',
    path: '/seller/offers/:productId/unpublish',
    tag: 'seller offers',
    summary: 'Withdraw an offer from the catalog: it takes no new orders; running subscriptions go on (a new version publishes it again)',
    allow: allow.seller,
    params: productParams,
    body: z.object({}).strict(),
    responses: {
      200: { description: 'The product, unpublished (also when it already was)', schema: productView },
      404: { description: 'No such product of the caller' },
    },
    handler: async ({ principal, params }) => {
      const sellerId = sellerOf(principal);
      // No approval check: a seller may always stop selling (a pending one has nothing published anyway).
      await deps.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "Seller" WHERE "id" = ${sellerId} FOR UPDATE`;
        const latest = await head(tx, sellerId, params.productId);
        if (!latest.published) return;
        await tx.offer.update({ where: { id: latest.id }, data: { published: false } });
        await writeAudit(tx, { key: `offer:${latest.id}:unpublished`, at: new Date().toISOString(), actor: actorOf(principal), action: 'offer.unpublished', entityType: 'offer', entityId: latest.id, data: { productId: productOf(latest) } });
      });
      return productAnswer(params.productId, 200);
    },
  });

  routes.add({
    method: 'get',
    path: '/seller/offers',
    tag: 'seller offers',
    summary: "The calling seller's products with all their versions, newest product first (X-6)",
    allow: allow.seller,
    query: listQuery('seller-offers', {}),
    responses: { 200: { description: 'A page of products', schema: productPage } },
    handler: async ({ principal, query }) => {
      const sellerId = sellerOf(principal);
      // One item per product: its head (latest version), sorted by the head's creation.
      const cursor = query.cursor;
      const after: Prisma.OfferWhereInput = cursor ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] } : {};
      const heads = await deps.db.offer.findMany({ where: { AND: [{ sellerId, supersededById: null }, after] }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
      const page = heads.slice(0, query.limit);
      const ids = page.map(productOf);
      const versions = await deps.db.offer.findMany({ where: { sellerId, OR: [{ productId: { in: ids } }, { productId: null, id: { in: ids } }] }, orderBy: { version: 'desc' } });
      return {
        status: 200,
        body: toPage('seller-offers', heads, query.limit, (o) => ({ at: o.createdAt, id: o.id }), (o) => ({
          productId: productOf(o),
          sellerId: o.sellerId,
          latest: viewOf(o),
          versions: versions.filter((v) => productOf(v) === productOf(o)).map(viewOf),
        })),
      };
    },
  });
}
