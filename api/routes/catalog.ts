// The public catalog: what can be ordered, and which terms version each seller asks to accept.
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { offerStated, offerView } from '../response-schemas';
import { afterCursor, listQuery, pageOf, toPage } from '../pagination';
import type { RouteTable } from '../route';

const offerPage = pageOf(offerView).openapi('OfferPage');

export function registerCatalogRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/offers',
    tag: 'catalog',
    summary: 'Published offers of approved sellers (the current version of each product; retired versions are unpublished), with the current terms version (ORD-3), newest first (created at, then id)',
    allow: allow.anyone,
    query: listQuery('offers', {}),
    responses: { 200: { description: 'A page of offers', schema: offerPage } },
    handler: async ({ query }) => {
      const offers = await deps.db.offer.findMany({
        where: { AND: [{ published: true, seller: { status: 'approved' } }, afterCursor(query.cursor, 'createdAt')] },
        include: { seller: { include: { terms: { where: { current: true } } } } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return {
        status: 200,
        body: toPage('offers', offers, query.limit, (o) => ({ at: o.createdAt, id: o.id }), (o) => ({
          offerId: o.id,
          ...offerStated(o),
          seller: { sellerId: o.seller.id, name: o.seller.name, termsVersion: o.seller.terms[0]?.version ?? null },
        })),
      };
    },
  });
}
