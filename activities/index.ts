// createActivities(deps): every activity of the worker, closed over its ports.
import type { ActivityDeps } from './deps';
import { createEmailActivities } from './emails';
import { createOrderActivities } from './orders';
import { createPaymentActivities } from './payments';
import { createPayoutActivities } from './payouts';
import { createSubscriptionActivities } from './subscriptions';
import { createTicketActivities } from './tickets';
import { createSellerCaseActivities } from './seller-cases';
import { createSellerClosureActivities } from './seller-closure';
import { createSellerApplicationActivities } from './seller-applications';
import { createWithdrawalActivities } from './withdrawal';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPaymentActivities(deps),
    ...createPayoutActivities(deps),
    ...createOrderActivities(deps),
    ...createEmailActivities(deps),
    ...createSubscriptionActivities(deps),
    ...createWithdrawalActivities(deps),
    ...createTicketActivities(deps),
    ...createSellerCaseActivities(deps),
    ...createSellerClosureActivities(deps),
    ...createSellerApplicationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
