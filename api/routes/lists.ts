// Every list route (api/pagination.ts: `limit`, `cursor`, `{ items, nextCursor }`), registered at once.
import type { ApiDeps } from '../deps';
import type { RouteTable } from '../route';
import { registerCustomerListRoutes } from './customer-lists';
import { registerDocumentListRoutes } from './document-lists';
import { registerLineListRoutes } from './line-lists';
import { registerOrderListRoutes } from './order-lists';
import { registerPaymentListRoutes } from './payment-lists';
import { registerSubscriptionListRoutes } from './subscription-lists';

export function registerListRoutes(routes: RouteTable, deps: ApiDeps): void {
  registerOrderListRoutes(routes, deps);
  registerLineListRoutes(routes, deps);
  registerSubscriptionListRoutes(routes, deps);
  registerPaymentListRoutes(routes, deps);
  registerDocumentListRoutes(routes, deps);
  registerCustomerListRoutes(routes, deps);
}
