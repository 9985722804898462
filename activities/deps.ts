// The ports every activity closes over: tests build the same activities over test instances.
import type { Db } from '../infra/db';
import type { Mailer } from '../infra/mailer';
import type { PaymentGateway } from '../infra/payment-gateway';
import type { PayoutGateway } from '../infra/payout-gateway';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  gateway: PaymentGateway;
  /** PYO-1: bank transfers to sellers (the sandbox by default: infra/sandbox-payouts.ts). */
  payouts: PayoutGateway;
  mailFrom: string;
  opsAlertAddress: string;
  publicUrl: string;
  /** Where customers reach the marketplace when a seller is late (ORD-7). */
  supportContact: string;
}
