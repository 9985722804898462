// Rate limits (issue 9, finding 8; ): checkout per address and per e-mail, sign-in per
// address and per e-mail, the sign-in code exchange per address, failed authentications per
// address; 429 problem+json naming what was limited, with Retry-After. Real HTTP against API
// instances on the test system's database, Temporal dev server and worker; the counters in
// PostgreSQL, shared by two API instances as by two API processes.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Request } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { clientAddress, parseRateLimit, rateLimitConfigFromEnv, type RateLimitConfig } from '../api/rate-limit';
import { listenApi } from '../api/server';
import { DEMO_KEYS } from '../prisma/demo-data';
import { checkoutBody } from './support/checkout';
import { useTestSystem } from './support/environments';
import type { TestSystem } from './support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

const OFF: Partial<RateLimitConfig> = {
  checkoutPerIp: null,
  checkoutPerEmail: null,
  signInPerIp: null,
  signInPerEmail: null,
  signInExchangePerIp: null,
  authFailuresPerIp: null,
};

const servers: Server[] = [];
/** An API instance (as one more API process) on the system's database and task queue, with these limits. */
async function api(rateLimits: Partial<RateLimitConfig>): Promise<string> {
  const app = createApp({ db: sys.db, temporal: env.client, gateway: sys.activityDeps.gateway, taskQueue: sys.taskQueue, mailboxEnabled: false, rateLimits: { ...OFF, ...rateLimits } });
  const server = await listenApi(app, 0, '127.0.0.1');
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections?.();
  }
  // Each test starts from no count (the table is made by the first API instance that needs it).
  await sys.db.$executeRawUnsafe('DELETE FROM "rate_limit"."counters"').catch(() => undefined);
});

interface Answer {
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: any;
}
let requests = 0;
async function send(base: string, method: string, path: string, opts: { body?: unknown; key?: string } = {}): Promise<Answer> {
  // Checkout wants an Idempotency-Key: a new one each time (each request is a new checkout).
  const headers: Record<string, string> = { 'idempotency-key': `rate-limit-test-${process.pid}-${Date.now()}-${++requests}` };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), body };
}

/** The checkout route (POST /checkout today; POST /orders once it moves: both are limited). */
async function checkoutPath(base: string): Promise<string> {
  const doc = (await send(base, 'GET', '/openapi.json')).body as { paths: Record<string, { post?: unknown }> };
  return doc.paths['/orders']?.post ? '/orders' : '/checkout';
}

function expectLimited(res: Answer, field: string, windowSeconds: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.contentType).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: expect.stringContaining('too-many-requests'), title: 'Too many requests', status: 429, detail: expect.any(String) });
  expect(res.body.errors).toEqual([{ field, message: expect.any(String) }]);
  const seconds = Number(res.retryAfter);
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(windowSeconds);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rate limits over HTTP', () => {
  it('X-5: the N+1-th checkout with one e-mail is 429 with Retry-After; another e-mail from the same address still passes', async () => {
    const base = await api({ checkoutPerEmail: { points: 2, durationSeconds: 600 }, checkoutPerIp: { points: 100, durationSeconds: 600 } });
    const path = await checkoutPath(base);
    const email = `limited-${Date.now()}@example.test`;
    for (let i = 0; i < 2; i++) {
      const ok = await send(base, 'POST', path, { body: checkoutBody({ email }) });
      expect(ok.status, JSON.stringify(ok.body)).toBeLessThan(300);
    }
    const orders = await sys.db.order.count();
    // Upper case is the same address.
    const third = await send(base, 'POST', path, { body: checkoutBody({ email: email.toUpperCase() }) });
    expectLimited(third, 'body.customer.email', 600);
    expect(await sys.db.order.count()).toBe(orders);

    const other = await send(base, 'POST', path, { body: checkoutBody({ email: `other-${Date.now()}@example.test` }) });
    expect(other.status, JSON.stringify(other.body)).toBeLessThan(300);
  });

  it('X-5: checkouts per address, whatever the e-mail; POST /orders and POST /checkout count alike', async () => {
    const base = await api({ checkoutPerIp: { points: 2, durationSeconds: 600 }, checkoutPerEmail: { points: 100, durationSeconds: 600 } });
    // The limit is taken before the route: a refused body counts too.
    expect((await send(base, 'POST', '/checkout', { body: { customer: { email: 'x@example.test' } } })).status).toBe(400);
    expect((await send(base, 'POST', '/ORDERS/', { body: {} })).status).not.toBe(429);
    expectLimited(await send(base, 'POST', '/checkout', { body: checkoutBody() }), 'headers', 600);
    expectLimited(await send(base, 'POST', '/orders', { body: checkoutBody() }), 'headers', 600);
    // Other routes are not limited by it.
    expect((await send(base, 'GET', '/offers')).status).toBe(200);
  });

  it('X-5: the counters are shared by API processes (PostgreSQL): two instances, one limit', async () => {
    const limits = { checkoutPerEmail: { points: 2, durationSeconds: 600 } };
    const [a, b] = [await api(limits), await api(limits)];
    const email = `shared-${Date.now()}@example.test`;
    // Invalid bodies (no lines): quick 4xx answers, counted all the same.
    const body = { customer: { email, name: 'X', type: 'individual' } };
    expect((await send(a, 'POST', '/checkout', { body })).status).toBe(400);
    expect((await send(b, 'POST', '/checkout', { body })).status).toBe(400);
    expectLimited(await send(a, 'POST', '/checkout', { body }), 'body.customer.email', 600);
    expectLimited(await send(b, 'POST', '/checkout', { body }), 'body.customer.email', 600);
    const rows = await sys.db.$queryRawUnsafe<{ key: string }[]>('SELECT key FROM "rate_limit"."counters"');
    // Keys are hashed: no e-mail or address in clear.
    expect(rows.length).toBeGreaterThan(0);
    for (const { key } of rows) expect(key).not.toMatch(/@|127\.0\.0\.1/);
  });

  it('X-8: after N failed authentications every request from the address is 429 until the window has passed', async () => {
    const base = await api({ authFailuresPerIp: { points: 3, durationSeconds: 2 } });
    for (let i = 0; i < 3; i++) {
      const res = await send(base, 'GET', '/offers', { key: `not-a-key-${i}` });
      expect(res.status).toBe(401);
    }
    // Every request now: without a key, with a valid key, on a plain route.
    expectLimited(await send(base, 'GET', '/offers'), 'headers', 2);
    expectLimited(await send(base, 'GET', '/seller/lines', { key: DEMO_KEYS.sellerAcme }), 'headers', 2);
    expectLimited(await send(base, 'GET', '/health'), 'headers', 2);
    // Another API process sees the block too.
    const other = await api({ authFailuresPerIp: { points: 3, durationSeconds: 2 } });
    expectLimited(await send(other, 'GET', '/offers'), 'headers', 2);

    await sleep(2_100);
    expect((await send(base, 'GET', '/offers')).status).toBe(200);
    expect((await send(base, 'GET', '/seller/lines', { key: DEMO_KEYS.sellerAcme })).status).toBe(200);
    expect((await send(other, 'GET', '/offers')).status).toBe(200);
  });

  it('X-8: successful authentications, a missing key and other 4xx do not count as failures', async () => {
    const base = await api({ authFailuresPerIp: { points: 2, durationSeconds: 600 } });
    for (let i = 0; i < 5; i++) {
      const ok = await send(base, 'GET', '/seller/lines', { key: DEMO_KEYS.sellerAcme });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect((await send(base, 'GET', '/no-such-route')).status).toBe(404);
      expect((await send(base, 'GET', '/seller/lines')).status).toBe(401); // no key: not a failed authentication
    }
    expect((await send(base, 'GET', '/offers', { key: 'unknown-1' })).status).toBe(401);
    expect((await send(base, 'GET', '/offers')).status).toBe(200);
    // A malformed Authorization header is a failed authentication too.
    expect((await send(base, 'GET', '/offers', { key: '' })).status).toBe(200);
    const malformed = await fetch(`${base}/offers`, { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    expectLimited(await send(base, 'GET', '/offers'), 'headers', 600);
  });

  it('X-8: sign-in per address and per e-mail, the code exchange per address; each limit resets after its window', async () => {
    const base = await api({
      signInPerEmail: { points: 2, durationSeconds: 2 },
      signInPerIp: { points: 4, durationSeconds: 2 },
      signInExchangePerIp: { points: 2, durationSeconds: 2 },
    });
    const email = `signin-${Date.now()}@example.test`;
    for (let i = 0; i < 2; i++) expect((await send(base, 'POST', '/auth/sign-in', { body: { email } })).status).not.toBe(429);
    expectLimited(await send(base, 'POST', '/auth/sign-in', { body: { email: ` ${email.toUpperCase()} ` } }), 'body.email', 2);
    // Another e-mail passes the e-mail limit, until the address limit (4 requests, the refused one included).
    expect((await send(base, 'POST', '/auth/sign-in', { body: { email: `b-${email}` } })).status).not.toBe(429);
    expectLimited(await send(base, 'POST', '/auth/sign-in', { body: { email: `c-${email}` } }), 'headers', 2);

    for (let i = 0; i < 2; i++) expect((await send(base, 'POST', '/auth/sign-in/exchange', { body: { code: 'nope' } })).status).not.toBe(429);
    expectLimited(await send(base, 'POST', '/auth/sign-in/exchange', { body: { code: 'nope' } }), 'headers', 2);

    await sleep(2_100);
    expect((await send(base, 'POST', '/auth/sign-in', { body: { email } })).status).not.toBe(429);
    expect((await send(base, 'POST', '/auth/sign-in/exchange', { body: { code: 'nope' } })).status).not.toBe(429);
  });

  it('X-5: a checkout limit resets after its window', async () => {
    const base = await api({ checkoutPerEmail: { points: 1, durationSeconds: 2 } });
    const path = await checkoutPath(base);
    const email = `window-${Date.now()}@example.test`;
    expect((await send(base, 'POST', path, { body: checkoutBody({ email }) })).status).toBeLessThan(300);
    expectLimited(await send(base, 'POST', path, { body: checkoutBody({ email }) }), 'body.customer.email', 2);
    await sleep(2_100);
    const again = await send(base, 'POST', path, { body: checkoutBody({ email }) });
    expect(again.status, JSON.stringify(again.body)).toBeLessThan(300);
  });

  it('X-5: RATE_LIMIT_STORE=memory counts in the process', async () => {
    const base = await api({ store: 'memory', signInPerEmail: { points: 1, durationSeconds: 600 } });
    expect((await send(base, 'POST', '/auth/sign-in', { body: { email: 'memory@example.test' } })).status).not.toBe(429);
    expectLimited(await send(base, 'POST', '/auth/sign-in', { body: { email: 'memory@example.test' } }), 'body.email', 600);
    // Nothing in the shared table.
    expect(await sys.db.$queryRawUnsafe<unknown[]>('SELECT 1 FROM "rate_limit"."counters"')).toHaveLength(0);
  });
});

describe('rate limit configuration', () => {
  it('reads RATE_LIMIT_* (requests/window, or off), RATE_LIMITS=off and RATE_LIMIT_STORE', () => {
    expect(parseRateLimit('20/10m')).toEqual({ points: 20, durationSeconds: 600 });
    expect(parseRateLimit('5 / 30s')).toEqual({ points: 5, durationSeconds: 30 });
    expect(parseRateLimit('100/1h')).toEqual({ points: 100, durationSeconds: 3600 });
    expect(parseRateLimit('7/90')).toEqual({ points: 7, durationSeconds: 90 });
    expect(parseRateLimit('OFF')).toBeNull();
    for (const bad of ['', '20', '0/10m', '20/0s', 'ten/10m', '20/10d']) expect(() => parseRateLimit(bad, 'X')).toThrow(/X must be/);

    const defaults = rateLimitConfigFromEnv({});
    expect(defaults).toMatchObject({
      store: 'postgres',
      trustProxy: false,
      checkoutPerIp: { points: 20, durationSeconds: 600 },
      checkoutPerEmail: { points: 5, durationSeconds: 600 },
      signInPerIp: { points: 20, durationSeconds: 600 },
      signInPerEmail: { points: 5, durationSeconds: 600 },
      signInExchangePerIp: { points: 20, durationSeconds: 600 },
      authFailuresPerIp: { points: 30, durationSeconds: 600 },
    });
    const set = rateLimitConfigFromEnv({ RATE_LIMIT_CHECKOUT_PER_EMAIL: '3/1m', RATE_LIMIT_AUTH_FAILURES_PER_IP: 'off', RATE_LIMIT_STORE: 'memory', TRUST_PROXY: '1' });
    expect(set).toMatchObject({ store: 'memory', trustProxy: 1, checkoutPerEmail: { points: 3, durationSeconds: 60 }, authFailuresPerIp: null });
    const off = rateLimitConfigFromEnv({ RATE_LIMITS: 'off' });
    expect([off.checkoutPerIp, off.checkoutPerEmail, off.signInPerIp, off.signInPerEmail, off.signInExchangePerIp, off.authFailuresPerIp]).toEqual([null, null, null, null, null, null]);
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_STORE: 'redis' })).toThrow(/RATE_LIMIT_STORE/);
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_SIGN_IN_PER_IP: 'lots' })).toThrow(/RATE_LIMIT_SIGN_IN_PER_IP/);
  });

  it('keys an IPv4 client by its address and an IPv6 client by its /64', () => {
    const of = (ip: string) => clientAddress({ ip, socket: {} } as unknown as Request);
    expect(of('203.0.113.7')).toBe('203.0.113.7');
    expect(of('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(of('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(of('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(of('2001:0db8:0001:0002:0:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(of('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(of('::1')).toBe('0:0:0:0::/64');
  });
});
