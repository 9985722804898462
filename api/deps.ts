// What the API process needs: the database, a Temporal client and the payment gateway port.
import type { Client } from '@temporalio/client';
import type { Db } from '../infra/db';
import type { PaymentGateway } from '../infra/payment-gateway';
import type { FileStore } from '../infra/file-storage';
import type { RateLimitConfig } from './rate-limit';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  gateway: PaymentGateway;
  taskQueue: string;
  /** The embedded SMTP server's mailbox is listable only when it runs (development). */
  mailboxEnabled: boolean;
  /** Rate limits over those of RATE_LIMIT_* (api/rate-limit.ts); test systems raise them. */
  rateLimits?: Partial<RateLimitConfig>;
  /** Where links in e-mails the API writes point (PUBLIC_URL; default from configuration). */
  publicUrl?: string;
  /**
   * Demo only: the sellers' validation window (ORD-6) in minutes instead of 48 hours, so that a
   * person trying the system sees ORD-7's deadline fire. Set by scripts/start.ts from
   * DEMO_VALIDATION_MINUTES; api/main.ts (production) never sets it.
   */
  demoValidationWindowMinutes?: number;
  /** KYC-1: where uploaded documents go; default: the data folder (infra/file-storage.ts). */
  fileStore?: FileStore;
}
