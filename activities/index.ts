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
import { createAccountClosureActivities } from './account-closure';
import { createPartnershipActivities } from './partnerships';
import { createWithdrawalActivities } from './withdrawal';
import { createTenderActivities } from './tenders';

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
    ...createAccountClosureActivities(deps),
    ...createTenderActivities(deps),
    ...createPartnershipActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
