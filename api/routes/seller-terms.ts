// Sellers' terms (CGV) in versions (ORD-3; README "Offers and terms"): a version published becomes
// the one checkout requires, in the transaction that makes the previous one no longer current. A
// version's label is unique per seller and its text never changes: publishing the same label and
// text again answers the version (a safe retry), another text under a used label is a 409.
import type { Prisma, SellerTermsVersion } from '@prisma/client';
import { writeAudit } from '../../activities/audit';
import { actorOf, allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { listQuery, pageOf, toPage } from '../pagination';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';
import { lockPublishingSeller } from './seller-offers';

export const termsView = z
  .strictObject({
    sellerId: z.string(),
    version: z.string(),
    current: z.boolean(),
    publishedAt: z.string(),
    text: z.string().nullable().describe('null for versions recorded before texts were stored'),
  })
  .openapi('SellerTerms');
export const termsPage = pageOf(termsView).openapi('SellerTermsPage');
const publicTermsView = termsView.extend({ sellerName: z.string() }).strict().openapi('CurrentSellerTerms');

const termsBody = z
  .object({
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, 'must be 1 to 50 letters, digits, dots, dashes or underscores, starting with a letter or digit'),
    text: z.string().trim().min(1, 'must not be empty').max(200_000),
  })
  .strict();

const viewOf = (t: SellerTermsVersion) => ({ sellerId: t.sellerId, version: t.version, current: t.current, publishedAt: t.publishedAt.toISOString(), text: t.text });
const sellerOf = (p: Principal) => (p.kind === 'seller' ? p.sellerId : '');

export function registerSellerTermsRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'post',
    path: '/seller/terms',
    tag: 'seller offers',
    summary: 'Publish a new version of your terms (CGV): from now on checkout requires its acceptance (ORD-3)',
    allow: allow.seller,
    body: termsBody,
    responses: {
      201: { description: 'The version, now current', schema: termsView },
      200: { description: 'This version with this text was already published (a retry): as it is now', schema: termsView },
      403: { description: 'The seller is not approved, or is suspended or closed' },
      409: { description: 'This version label is already used with another text' },
    },
    handler: async ({ principal, body }) => {
      const sellerId = sellerOf(principal);
      return deps.db.$transaction(async (tx: Prisma.TransactionClient) => {
        await lockPublishingSeller(tx, sellerId);
        const existing = await tx.sellerTermsVersion.findUnique({ where: { sellerId_version: { sellerId, version: body.version } } });
        if (existing) {
          if (existing.text === body.text) return { status: 200, body: viewOf(existing) };
          throw Problem.conflict(`terms version ${body.version} is already published with another text: publish the change under a new version`, {
            errors: [{ field: 'body.version', message: 'already used' }],
          });
        }
        const now = new Date();
        await tx.sellerTermsVersion.updateMany({ where: { sellerId, current: true }, data: { current: false } });
        const created = await tx.sellerTermsVersion.create({ data: { sellerId, version: body.version, text: body.text, current: true, publishedAt: now } });
        await writeAudit(tx, { key: `terms:${sellerId}:${body.version}:published`, at: now.toISOString(), actor: actorOf(principal), action: 'terms.published', entityType: 'seller_terms', entityId: `${sellerId}:${body.version}` });
        return { status: 201, body: viewOf(created) };
      });
    },
  });

  routes.add({
    method: 'get',
    path: '/seller/terms',
    tag: 'seller offers',
    summary: "The calling seller's terms versions, newest first (X-6)",
    allow: allow.seller,
    query: listQuery('seller-terms', {}),
    responses: { 200: { description: 'A page of terms versions', schema: termsPage } },
    handler: async ({ principal, query }) => {
      const sellerId = sellerOf(principal);
      // The cursor's id is the version label (unique per seller).
      const c = query.cursor;
      const after: Prisma.SellerTermsVersionWhereInput = c ? { OR: [{ publishedAt: { lt: c.at } }, { publishedAt: c.at, version: { lt: c.id } }] } : {};
      const rows = await deps.db.sellerTermsVersion.findMany({ where: { AND: [{ sellerId }, after] }, orderBy: [{ publishedAt: 'desc' }, { version: 'desc' }], take: query.limit + 1 });
      return { status: 200, body: toPage('seller-terms', rows, query.limit, (t) => ({ at: t.publishedAt, id: t.version }), viewOf) };
    },
  });

  routes.add({
    method: 'get',
    path: '/sellers/:sellerId/terms/current',
    tag: 'catalog',
    summary: "What a buyer accepts at checkout (ORD-3): a seller's current terms version, with its text",
    allow: allow.anyone,
    params: z.object({ sellerId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a seller id') }),
    responses: {
      200: { description: 'The current terms version', schema: publicTermsView },
      404: { description: 'No seller taking orders with this id, or it has no terms yet' },
    },
    handler: async ({ params }) => {
      // Only sellers that take orders: the catalog lists no other, and nothing is told of the rest.
      const current = await deps.db.sellerTermsVersion.findFirst({ where: { sellerId: params.sellerId, current: true, seller: { status: 'approved' } }, include: { seller: true } });
      if (!current) throw Problem.notFound(`no current terms of a seller ${params.sellerId} taking orders`);
      return { status: 200, body: { ...viewOf(current), sellerName: current.seller.name } };
    },
  });
}
