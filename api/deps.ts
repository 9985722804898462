// What the API process needs: the database, a Temporal client and the payment gateway port.
import type { Client } from '@temporalio/client';
import type { Db } from '../infra/db';
import type { PaymentGateway } from '../infra/payment-gateway';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  gateway: PaymentGateway;
  taskQueue: string;
  /** The embedded SMTP server's mailbox is listable only when it runs (development). */
  mailboxEnabled: boolean;
}
