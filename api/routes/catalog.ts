// The public catalog: what can be ordered, and which terms version each seller asks to accept.
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import { offerStated, offerView } from '../response-schemas';
import type { RouteTable } from '../route';
import { z } from '../zod';

export function registerCatalogRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/offers',
    tag: 'catalog',
    summary: 'Published offers of approved sellers (the current version of each product; retired versions are unpublished), with the current terms version (ORD-3)',
    allow: allow.anyone,
    responses: { 200: { description: 'Offers, by id', schema: z.array(offerView) } },
    handler: async () => {
      const offers = await deps.db.offer.findMany({
        where: { published: true, seller: { status: 'approved' } },
        include: { seller: { include: { terms: { where: { current: true } } } } },
        orderBy: { id: 'asc' },
      });
      return {
        status: 200,
        body: offers.map((o) => ({
          offerId: o.id,
          ...offerStated(o),
          seller: { sellerId: o.seller.id, name: o.seller.name, termsVersion: o.seller.terms[0]?.version ?? null },
        })),
      };
    },
  });
}
