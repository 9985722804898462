// Every setting the processes read, with the embedded defaults used by `scripts/start.sh`.
import path from 'node:path';
import { tierPolicies, type DiagnosticTerms, type SupportTier, type TierPolicy } from '../domain/support';

export const projectRoot = path.resolve(__dirname, '..');

/** Port of the embedded PostgreSQL (`scripts/start.sh`, `npm run cluster`) when DATABASE_URL is unset. */
export function embeddedPostgresPort(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.EMBEDDED_PG_PORT ?? 5433);
}

/** DATABASE_URL (any PostgreSQL 15 to 17), else the embedded PostgreSQL's `marketplace` database. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL ?? `postgresql://postgres:postgres@127.0.0.1:${embeddedPostgresPort(env)}/marketplace`;
}

/** Where the embedded services keep their files. */
export const dataDir = path.join(projectRoot, 'data');

export interface AppConfig {
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  databaseUrl: string;
  smtpUrl: string;
  mailFrom: string;
  opsAlertAddress: string;
  supportContact: string;
  apiPort: number;
  publicUrl: string;
  businessTimeZone: string;
  /** The API serves the embedded SMTP sink's messages at /mailbox (development setups only). */
  mailboxEnabled: boolean;
  /** Unset: the SDK's default workflow cache. */
  workerMaxCachedWorkflows?: number;
  /** PAYLOAD_KEYS, `kid:base64-32-byte-key[,kid:key...]`: every key that decrypts payloads (infra/payload-codec.ts). */
  payloadKeys?: string;
  /** PAYLOAD_KEY_ID, the key id new payloads are encrypted under; unset: the first of PAYLOAD_KEYS. */
  payloadKeyId?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const apiPort = Number(env.API_PORT ?? 3000);
  return {
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TASK_QUEUE ?? 'marketplace',
    databaseUrl: databaseUrl(),
    smtpUrl: env.SMTP_URL ?? 'smtp://127.0.0.1:2525',
    mailFrom: env.MAIL_FROM ?? 'Marketplace <no-reply@marketplace.test>',
    opsAlertAddress: env.OPS_ALERT_ADDRESS ?? 'ops@marketplace.test',
    supportContact: env.SUPPORT_CONTACT ?? 'support@marketplace.test, +33 1 23 45 67 89',
    apiPort,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${apiPort}`,
    businessTimeZone: env.BUSINESS_TZ ?? 'Europe/Paris',
    mailboxEnabled: env.MAILBOX_ENABLED === 'true',
    workerMaxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS ? Number(env.WORKER_MAX_CACHED_WORKFLOWS) : undefined,
    payloadKeys: env.PAYLOAD_KEYS || undefined,
    payloadKeyId: env.PAYLOAD_KEY_ID || undefined,
  };
}

/**
 * DIA-1, POL-5: what support costs and promises, read when a ticket opens (a ticket keeps the
 * terms it was opened under). DIAGNOSTIC_PRICE_CENTS (excl. VAT, default 2000 = 20.00 EUR),
 * DIAGNOSTIC_FREE_UNTIL (ISO instant: free before it; unset: no promotion), MARKETPLACE_VAT_BP
 * (the marketplace's VAT rate on its own invoices, default 2000 = 20 %),
 * SUPPORT_FIRST_RESPONSE_HOURS ("basic:16,standard:8,premium:4", any subset).
 */
export function supportConfig(env: NodeJS.ProcessEnv = process.env): { diagnostic: DiagnosticTerms; tiers: Record<SupportTier, TierPolicy> } {
  const price = Number(env.DIAGNOSTIC_PRICE_CENTS ?? 2000);
  if (!Number.isInteger(price) || price < 0) throw new RangeError('DIAGNOSTIC_PRICE_CENTS must be a whole number of cents');
  const freeUntil = env.DIAGNOSTIC_FREE_UNTIL ? new Date(env.DIAGNOSTIC_FREE_UNTIL) : null;
  if (freeUntil && Number.isNaN(freeUntil.getTime())) throw new RangeError('DIAGNOSTIC_FREE_UNTIL must be an ISO date-time');
  return {
    diagnostic: { priceCents: price, currency: 'EUR', vatRateBp: Number(env.MARKETPLACE_VAT_BP ?? 2000), freeUntil: freeUntil?.toISOString() ?? null },
    tiers: tierPolicies(env.SUPPORT_FIRST_RESPONSE_HOURS),
  };
}
