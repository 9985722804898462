// The ports every activity closes over: tests build the same activities over test instances.
import type { Db } from '../infra/db';
import type { Mailer } from '../infra/mailer';
import type { PaymentGateway } from '../infra/payment-gateway';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  gateway: PaymentGateway;
  mailFrom: string;
  opsAlertAddress: string;
  publicUrl: string;
  /** Where customers reach the marketplace when a seller is late (ORD-7). */
  supportContact: string;
}
