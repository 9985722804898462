// Rate limits (issue 9, finding 8) with rate-limiter-flexible: checkout per address and per buyer
// e-mail, sign-in per address and per e-mail, the sign-in code exchange per address, calls for
// tenders and their codes per address and per contact e-mail (TND-1), and failed
// authentications (the 401s) per address, after which every request from that address is refused
// until its window has passed. Each refusal is a 429 problem+json naming what was limited, with a
// Retry-After in seconds.
//
// The counters live in PostgreSQL (the application database, schema `rate_limit`, table
// `counters`, created at the first request), so limits hold across several API processes; keys
// are hashed (no address or e-mail in clear). The schema is apart from Prisma's `public` one: its
// migrations, drift checks and the fuzz tests' table snapshots never see it. Should the database
// fail, each limiter falls back to a per-process memory limiter with the same limits (the
// library's insurance limiter), so a database outage never turns into refused requests.
// RATE_LIMIT_STORE=memory keeps every counter in the process instead (one API process only).
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../infra/db';
import { Problem, sendProblem } from './problem';

/** `points` requests (or failures) per window of `durationSeconds`; null: no limit. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

export interface RateLimitConfig {
  /** Where the counters are: `postgres` (shared by every API process, the default) or `memory` (per process). */
  store: 'postgres' | 'memory';
  /** Express's `trust proxy` (TRUST_PROXY): set behind a reverse proxy, or every client has the proxy's address. */
  trustProxy: string | number | boolean;
  /** POST /checkout (and POST /orders), per client address. */
  checkoutPerIp: RateLimit | null;
  /** POST /checkout (and POST /orders), per `customer.email` of the body, lower-cased. */
  checkoutPerEmail: RateLimit | null;
  /** POST /auth/sign-in, per client address. */
  signInPerIp: RateLimit | null;
  /** POST /auth/sign-in, per `email` of the body, lower-cased. */
  signInPerEmail: RateLimit | null;
  /** POST /auth/sign-in/exchange, per client address. */
  signInExchangePerIp: RateLimit | null;
  /** TND-1: POST /tenders and POST /tenders/:id/verify (a visitor's call and its code), per client address. */
  tenderPerIp: RateLimit | null;
  /** TND-1: POST /tenders, per `contact.email` of the body, lower-cased (a visitor's code e-mails). */
  tenderPerEmail: RateLimit | null;
  /** 401 answers to requests with an Authorization header, per client address; once reached, every request from it is 429 for a window. */
  authFailuresPerIp: RateLimit | null;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  store: 'postgres',
  trustProxy: false,
  checkoutPerIp: { points: 20, durationSeconds: 600 },
  checkoutPerEmail: { points: 5, durationSeconds: 600 },
  signInPerIp: { points: 20, durationSeconds: 600 },
  signInPerEmail: { points: 5, durationSeconds: 600 },
  signInExchangePerIp: { points: 20, durationSeconds: 600 },
  tenderPerIp: { points: 10, durationSeconds: 3600 },
  tenderPerEmail: { points: 3, durationSeconds: 3600 },
  authFailuresPerIp: { points: 30, durationSeconds: 600 },
};

const LIMIT_ENV: Record<Exclude<keyof RateLimitConfig, 'store' | 'trustProxy'>, string> = {
  checkoutPerIp: 'RATE_LIMIT_CHECKOUT_PER_IP',
  checkoutPerEmail: 'RATE_LIMIT_CHECKOUT_PER_EMAIL',
  signInPerIp: 'RATE_LIMIT_SIGN_IN_PER_IP',
  signInPerEmail: 'RATE_LIMIT_SIGN_IN_PER_EMAIL',
  signInExchangePerIp: 'RATE_LIMIT_SIGN_IN_EXCHANGE_PER_IP',
  tenderPerIp: 'RATE_LIMIT_TENDER_PER_IP',
  tenderPerEmail: 'RATE_LIMIT_TENDER_PER_EMAIL',
  authFailuresPerIp: 'RATE_LIMIT_AUTH_FAILURES_PER_IP',
};

/** `20/10m` (20 per 10 minutes; units s, m, h, none = seconds) or `off`. */
export function parseRateLimit(text: string, name = 'rate limit'): RateLimit | null {
  const value = text.trim().toLowerCase();
  if (value === 'off') return null;
  const match = /^(\d+)\s*\/\s*(\d+)\s*(s|m|h)?$/.exec(value);
  const points = match ? Number(match[1]) : 0;
  const durationSeconds = match ? Number(match[2]) * ({ s: 1, m: 60, h: 3600 } as const)[(match[3] ?? 's') as 's' | 'm' | 'h'] : 0;
  if (!match || points < 1 || durationSeconds < 1) throw new Error(`${name} must be "<requests>/<window>" such as 20/10m (s, m or h), or off: not "${text}"`);
  return { points, durationSeconds };
}

/** The limits of RATE_LIMIT_* (README "Rate limits"); RATE_LIMITS=off turns every one off. */
export function rateLimitConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimitConfig {
  const config: RateLimitConfig = { ...DEFAULT_RATE_LIMITS };
  const store = env.RATE_LIMIT_STORE?.trim();
  if (store) {
    if (store !== 'postgres' && store !== 'memory') throw new Error(`RATE_LIMIT_STORE must be postgres or memory, not "${store}"`);
    config.store = store;
  }
  const trust = env.TRUST_PROXY?.trim();
  if (trust) config.trustProxy = /^\d+$/.test(trust) ? Number(trust) : trust === 'true' ? true : trust === 'false' ? false : trust;
  const allOff = env.RATE_LIMITS?.trim().toLowerCase() === 'off';
  for (const [field, name] of Object.entries(LIMIT_ENV) as [keyof typeof LIMIT_ENV, string][]) {
    const raw = env[name];
    config[field] = allOff ? null : raw !== undefined && raw.trim() !== '' ? parseRateLimit(raw, name) : config[field];
  }
  return config;
}

/** Limits no test suite reaches (they run thousands of requests from 127.0.0.1), with the same code paths. */
export function generousRateLimits(): Partial<RateLimitConfig> {
  const wide = { points: 1_000_000, durationSeconds: 600 };
  return { checkoutPerIp: wide, checkoutPerEmail: wide, signInPerIp: wide, signInPerEmail: wide, signInExchangePerIp: wide, tenderPerIp: wide, tenderPerEmail: wide, authFailuresPerIp: wide };
}

/**
 * The client's address as a limit key: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64, the
 * block one subscriber usually holds whole (counting single IPv6 addresses would let a client
 * rotate through 2^64 of them).
 */
export function clientAddress(req: Request): string {
  const ip = (req.ip ?? req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIP(ip) !== 6) return ip;
  const [head, tail = ''] = ip.split('%')[0].toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

const hashed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 40);

/** What rate-limiter-flexible's PostgreSQL store asks of a client (`query` → `{ rows }`), over our Prisma client. */
function prismaStoreClient(db: Db) {
  return {
    async query(q: { text: string; values?: unknown[] }): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(q.text, ...(q.values ?? []));
      // `expire` is a bigint column: Prisma answers a BigInt, the library does arithmetic with numbers.
      const plain = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
      return { rows: plain, rowCount: plain.length };
    },
  };
}

const SCHEMA = 'rate_limit';
const TABLE = 'counters';

type Scope = 'headers' | 'body.customer.email' | 'body.email' | 'body.contact.email';

interface Rule {
  name: keyof typeof LIMIT_ENV;
  limit: RateLimit;
  limiter: RateLimiterAbstract;
}

export interface RateLimits {
  /** Refuses a request over a limit with a 429 before it reaches a route. */
  middleware: (req: Request, res: Response, next: NextFunction) => Promise<void>;
  /** Counts a failed authentication (a 401 answer to a request with an Authorization header) of its address; never throws. */
  recordAuthFailure: (req: Request) => Promise<void>;
  config: RateLimitConfig;
}

/** The app's rate limits, from RATE_LIMIT_* with `overrides` on top (tests), installed on `app`. */
export function installRateLimits(app: express.Express, db: Db, overrides: Partial<RateLimitConfig> = {}): RateLimits {
  const config: RateLimitConfig = { ...rateLimitConfigFromEnv(), ...overrides };
  if (config.trustProxy !== false) app.set('trust proxy', config.trustProxy);
  const storeClient = prismaStoreClient(db);

  // One table for every limiter (keys prefixed by the limiter), made once per process, then the
  // limiters; when it cannot be made (no CREATE privilege), per-process memory counters.
  let built: Promise<Map<string, Rule>> | undefined;
  const rules = (): Promise<Map<string, Rule>> => (built ??= build());
  async function build(): Promise<Map<string, Rule>> {
    let shared = config.store === 'postgres';
    if (shared) {
      shared = await createTable().then(
        () => true,
        (err: unknown) => {
          console.error(`[api] rate limits: cannot create ${SCHEMA}.${TABLE}, counting per process instead:`, err);
          return false;
        },
      );
    }
    const out = new Map<string, Rule>();
    let first = true;
    for (const name of Object.keys(LIMIT_ENV) as (keyof typeof LIMIT_ENV)[]) {
      const limit = config[name];
      if (!limit) continue;
      const common = { keyPrefix: name, points: limit.points, duration: limit.durationSeconds };
      const memory = new RateLimiterMemory(common);
      const limiter = shared
        ? new RateLimiterPostgres({
            ...common,
            storeClient,
            storeType: 'client',
            schemaName: SCHEMA,
            tableName: TABLE,
            tableCreated: true,
            // One limiter sweeps the shared table (rows expired an hour ago, every 5 minutes).
            clearExpiredByTimeout: first,
            insuranceLimiter: memory,
          })
        : memory;
      first = false;
      out.set(name, { name, limit, limiter });
    }
    return out;
  }
  async function createTable(): Promise<void> {
    // Two processes starting together may both create: PostgreSQL then reports a duplicate.
    for (let attempt = 1; ; attempt++) {
      try {
        await db.$executeRawUnsafe(`CREATE SCHEMA IF NOT EXISTS "${SCHEMA}"`);
        await db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS "${SCHEMA}"."${TABLE}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  // Addresses known blocked, or known not blocked for a second: the failed-authentication check
  // runs before every request, and a polling client would otherwise read the counter at each one.
  // Another process's failures are seen within that second; this process's own at once.
  const authState = new Map<string, { until: number; blockedMs: number }>();
  const AUTH_STATE_MS = 1_000;
  const AUTH_STATE_MAX = 10_000;
  function remember(key: string, until: number, blockedMs: number) {
    if (authState.size >= AUTH_STATE_MAX) {
      const now = Date.now();
      for (const [k, v] of authState) if (v.until <= now) authState.delete(k);
      if (authState.size >= AUTH_STATE_MAX) authState.delete(authState.keys().next().value!);
    }
    authState.set(key, { until, blockedMs });
  }
  async function authBlockedMs(rule: Rule, key: string): Promise<number> {
    const now = Date.now();
    const known = authState.get(key);
    if (known && known.until > now) return known.blockedMs > now ? known.blockedMs - now : 0;
    const res = await rule.limiter.get(key).catch((err: unknown) => {
      // Neither the database nor the insurance limiter answered: let the request through.
      console.error(`[api] rate limit ${rule.name}:`, err);
      return null;
    });
    const blocked = res !== null && res.consumedPoints >= rule.limit.points ? res.msBeforeNext : 0;
    remember(key, blocked > 0 ? now + blocked : now + AUTH_STATE_MS, blocked > 0 ? now + blocked : 0);
    return blocked;
  }

  /** Consumes one point; the milliseconds to wait when over the limit, else 0. */
  async function consume(rule: Rule, key: string): Promise<number> {
    try {
      await rule.limiter.consume(key);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(err.msBeforeNext, 1);
      // Neither the database nor the insurance limiter answered: let the request through.
      console.error(`[api] rate limit ${rule.name}:`, err);
      return 0;
    }
  }

  function refuse(req: Request, res: Response, waitMs: number, field: Scope, message: string): void {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    res.setHeader('Retry-After', String(seconds));
    sendProblem(res, Problem.tooManyRequests(`${message}; retry in ${seconds} s`, [{ field, message }]), req.path);
  }

  const lowerEmail = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : undefined);

  async function middleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    let all: Map<string, Rule>;
    try {
      all = await rules();
    } catch (err) {
      console.error('[api] rate limits:', err);
      return next();
    }
    if (all.size === 0) return next();
    const address = hashed(clientAddress(req));

    const failures = all.get('authFailuresPerIp');
    if (failures) {
      const wait = await authBlockedMs(failures, address);
      if (wait > 0) return refuse(req, res, wait, 'headers', 'too many failed authentications from this address');
    }
    if (req.method !== 'POST') return next();
    // Express routes ignore case and a trailing slash: so do the limits.
    const path = req.path.toLowerCase().replace(/\/+$/, '');
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const checks: [Rule | undefined, string | undefined, Scope, string][] = [];
    if (path === '/checkout' || path === '/orders') {
      const customer = typeof body.customer === 'object' && body.customer !== null ? (body.customer as Record<string, unknown>) : {};
      checks.push([all.get('checkoutPerIp'), address, 'headers', 'too many checkouts from this address']);
      checks.push([all.get('checkoutPerEmail'), lowerEmail(customer.email), 'body.customer.email', 'too many checkouts with this e-mail address']);
    } else if (path === '/auth/sign-in') {
      checks.push([all.get('signInPerIp'), address, 'headers', 'too many sign-in requests from this address']);
      checks.push([all.get('signInPerEmail'), lowerEmail(body.email), 'body.email', 'too many sign-in requests for this e-mail address']);
    } else if (path === '/auth/sign-in/exchange') {
      checks.push([all.get('signInExchangePerIp'), address, 'headers', 'too many sign-in code exchanges from this address']);
    } else if (path === '/tenders' || /^\/tenders\/[^/]+\/verify$/.test(path)) {
      const contact = typeof body.contact === 'object' && body.contact !== null ? (body.contact as Record<string, unknown>) : {};
      checks.push([all.get('tenderPerIp'), address, 'headers', 'too many calls for tenders or codes from this address']);
      if (path === '/tenders') checks.push([all.get('tenderPerEmail'), lowerEmail(contact.email), 'body.contact.email', 'too many calls for tenders with this e-mail address']);
    }
    for (const [rule, key, field, message] of checks) {
      if (!rule || key === undefined) continue;
      const wait = await consume(rule, field === 'headers' ? key : hashed(key));
      if (wait > 0) return refuse(req, res, wait, field, message);
    }
    next();
  }

  async function recordAuthFailure(req: Request): Promise<void> {
    // A failed authentication is a credential refused; a route that wants one and got none is not.
    if (req.header('authorization') === undefined) return;
    try {
      const rule = (await rules()).get('authFailuresPerIp');
      if (!rule) return;
      const address = hashed(clientAddress(req));
      let res: RateLimiterRes;
      try {
        res = await rule.limiter.consume(address);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        res = err;
      }
      // The failure that reaches the limit blocks the address for a whole window from now.
      if (res.consumedPoints === rule.limit.points) res = await rule.limiter.block(address, rule.limit.durationSeconds);
      const now = Date.now();
      if (res.consumedPoints >= rule.limit.points) remember(address, now + res.msBeforeNext, now + res.msBeforeNext);
      else authState.delete(address);
    } catch (err) {
      console.error('[api] rate limit authFailuresPerIp:', err);
    }
  }

  return { middleware, recordAuthFailure, config };
}
