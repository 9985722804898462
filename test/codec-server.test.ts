// X-7: the codec server (infra/codec-server.ts) over real HTTP, on a copy of the seeded database
// (its staff, seller and customer keys), and the live check: what a test system's workflows leave
// in Temporal's history is ciphertext only, the activities' own client (Context.current().client)
// included, and only staff read it back, through the codec server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { decode } from '@temporalio/common/lib/encoding';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../api/auth';
import { SESSION_COOKIE, SESSION_TTL_MS, sessionCookieValue, startCodecServer, type CodecServer } from '../infra/codec-server';
import { ENCRYPTED_ENCODING, METADATA_ENCRYPTION_KEY_ID, payloadCodecFromConfig } from '../infra/payload-codec';
import { temporalCliPath } from '../infra/temporal-binaries';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { orderLineWorkflowId } from '../workflows/order-line';
import { orderWorkflowId } from '../workflows/order';
import { orderWithdrawalResultUpdate, orderWithdrawalWorkflow, orderWithdrawalWorkflowId } from '../workflows/order-withdrawal';
import { subscriptionWorkflowId } from '../workflows/subscription';
import { useTestSystem } from './support/environments';
import { http } from './support/http';
import { linesAwaitingValidation, placeOrder } from './support/orders';
import { TEST_PAYLOAD_KEY_ID, testDataConverter, testPayloadEnv } from './support/payload-keys';
import { freePort } from './support/ports';
import { waitState } from './support/subscriptions';
import { workflowBundle, type TestSystem } from './support/system';

const UI_ORIGIN = 'http://localhost:8233';
const SECRET = 'codec-session-secret-for-tests';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
let codecServer: CodecServer;
const audit: string[] = [];
const codec = payloadCodecFromConfig({ payloadKeys: testPayloadEnv.PAYLOAD_KEYS, payloadKeyId: testPayloadEnv.PAYLOAD_KEY_ID });

useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

beforeAll(async () => {
  codecServer = await startCodecServer({ db: sys.db, codec, uiOrigins: [UI_ORIGIN], sessionSecret: SECRET, port: await freePort(), host: '127.0.0.1', log: (l) => audit.push(l) });
});
afterAll(async () => {
  await codecServer?.close();
});

const url = () => `http://127.0.0.1:${codecServer.port}`;
/** The audit log names the key's holder, as the ApiKey table labels it. */
const labelOf = async (key: string) => (await sys.db.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } })).label;

interface JsonPayload {
  metadata: Record<string, string>;
  data?: string;
}
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
});
const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data ? Buffer.from(p.data, 'base64') : undefined,
});
const value = { customer: 'jane.doe@example.test', totalCents: 16787 };
const encrypted = async () => (await codec.encode([defaultPayloadConverter.toPayload(value)!])).map(toJson);

async function post(path: string, opts: { key?: string; cookie?: string; origin?: string; body?: unknown; form?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'x-namespace': 'default' };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`${url()}${path}`, { method: 'POST', headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('codec server', () => {
  it('X-7: a staff API key (Bearer) decodes payloads, and each decode is logged with the staff label', async () => {
    const res = await post('/decode', { key: DEMO_KEYS.support, body: { payloads: await encrypted() } });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [decoded] = (res.json.payloads as JsonPayload[]).map(fromJson);
    expect(decode(decoded.metadata!.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(value);
    const support = await labelOf(DEMO_KEYS.support);
    expect(audit.some((l) => l.includes('decode: 1 payload(s)') && l.includes(`"${support}"`) && l.includes('via bearer') && l.includes('namespace default'))).toBe(true);
    // Plain payloads (histories from before encryption) come back as they are.
    const plain = toJson(defaultPayloadConverter.toPayload('hello')!);
    expect((await post('/decode', { key: DEMO_KEYS.ops, body: { payloads: [plain] } })).json.payloads).toEqual([plain]);
  });

  it('X-7: /encode (staff too) encrypts under the current key id; its output decodes', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload(value)!);
    const res = await post('/encode', { key: DEMO_KEYS.admin, body: { payloads: [plain] } });
    expect(res.status, res.text).toBe(200);
    const [enc] = (res.json.payloads as JsonPayload[]).map(fromJson);
    expect(decode(enc.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe(TEST_PAYLOAD_KEY_ID);
    expect(defaultPayloadConverter.fromPayload((await codec.decode([enc]))[0])).toEqual(value);
    expect((await post('/encode', { body: { payloads: [plain] } })).status).toBe(401);
  });

  it('X-7: without a key, with an unknown key, or with a customer or seller key: refused with problem+json (401 / 403)', async () => {
    const payloads = await encrypted();
    const none = await post('/decode', { body: { payloads } });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.json.detail).toContain('sign in at');
    expect((await post('/decode', { key: 'no-such-key', body: { payloads } })).status).toBe(401);
    for (const key of [DEMO_KEYS.customer, DEMO_KEYS.sellerAcme]) {
      const res = await post('/decode', { key, body: { payloads } });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json.detail).toBe('only staff may decode payloads');
      expect(res.text).not.toContain('jane');
    }
    expect((await post('/decode', { key: DEMO_KEYS.support, body: { payloads: 'nope' } })).status).toBe(400);
    // Proto JSON omits an empty list: `{}` is no payloads (the CLI sends it).
    expect((await post('/decode', { key: DEMO_KEYS.support, body: {} })).json).toEqual({ payloads: [] });
  });

  it('X-7: a tampered payload is refused (422) naming its key id', async () => {
    const [p] = await encrypted();
    const data = Buffer.from(p.data!, 'base64');
    data[15] ^= 1;
    const res = await post('/decode', { key: DEMO_KEYS.support, body: { payloads: [{ ...p, data: data.toString('base64') }] } });
    expect(res.status).toBe(422);
    expect(res.json.detail).toContain(`key id "${TEST_PAYLOAD_KEY_ID}" failed authentication`);
  });

  it('X-7: the sign-in page sets an HttpOnly SameSite=Lax session cookie (8 hours) that decodes from the UI origin', async () => {
    const page = await fetch(`${url()}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/session">');
    expect(html).toContain('name="key"');

    const refused = await post('/session', { form: { key: DEMO_KEYS.customer } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const signIn = await post('/session', { form: { key: DEMO_KEYS.finance } });
    expect(signIn.status).toBe(303);
    const setCookie = signIn.headers.get('set-cookie')!;
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=cs1\\.[0-9a-f]{64}\\.\\d+\\.[\\w-]+; Path=/; Max-Age=${SESSION_TTL_MS / 1000}; HttpOnly; SameSite=Lax$`));
    expect(setCookie).not.toContain(DEMO_KEYS.finance);
    const cookie = setCookie.split(';')[0];

    const res = await post('/decode', { cookie, origin: UI_ORIGIN, body: { payloads: await encrypted() } });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(defaultPayloadConverter.fromPayload(fromJson(res.json.payloads[0]))).toEqual(value);
    const finance = await labelOf(DEMO_KEYS.finance);
    expect(audit.some((l) => l.includes(`"${finance}"`) && l.includes('via session'))).toBe(true);
    const signedIn = await (await fetch(`${url()}/`, { headers: { cookie } })).text();
    expect(signedIn).toContain(`Signed in as <strong>${finance.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</strong>`);

    // The cookie is usable from the UI (or this page) only; a forged or expired one is refused.
    expect((await post('/decode', { cookie, origin: 'https://evil.example', body: { payloads: await encrypted() } })).status).toBe(403);
    const forged = `${SESSION_COOKIE}=${sessionCookieValue('another-secret', hashKey(DEMO_KEYS.finance), Date.now() + 3600_000)}`;
    expect((await post('/decode', { cookie: forged, body: { payloads: await encrypted() } })).status).toBe(401);
    const expired = `${SESSION_COOKIE}=${sessionCookieValue(SECRET, hashKey(DEMO_KEYS.finance), Date.now() - 1000)}`;
    expect((await post('/decode', { cookie: expired, body: { payloads: await encrypted() } })).status).toBe(401);
    // A session of a customer's key (never issued, but signed) still decodes nothing.
    const customer = `${SESSION_COOKIE}=${sessionCookieValue(SECRET, hashKey(DEMO_KEYS.customer), Date.now() + 3600_000)}`;
    expect((await post('/decode', { cookie: customer, body: { payloads: await encrypted() } })).status).toBe(403);

    const signOut = await post('/session/end');
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get('set-cookie')).toContain('Max-Age=0');
  });

  it('X-7: CORS preflight answers the Temporal UI origin, with credentials and the X-Namespace header; other origins get nothing', async () => {
    const preflight = (origin: string) =>
      fetch(`${url()}/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
    const ok = await preflight(UI_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    expect(ok.headers.get('vary')).toContain('Origin');
    const other = await preflight('https://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

/** Every payload of a raw history, with where it is; search attributes apart (the server indexes them, plain by design). */
function payloadsOf(node: unknown, path = '', out: { path: string; payload: Payload }[] = []): { path: string; payload: Payload }[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return out;
  const metadata = (node as { metadata?: unknown }).metadata;
  if (metadata && typeof metadata === 'object' && (metadata as Record<string, unknown>).encoding instanceof Uint8Array) {
    out.push({ path, payload: node as Payload });
    return out;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'searchAttributes') continue;
    payloadsOf(v, `${path}.${k}`, out);
  }
  return out;
}

describe('payloads in Temporal', () => {
  it('X-7: a checkout, a seller acceptance and a withdrawal leave only binary/encrypted payloads in the raw histories; the update sent by an activity through Context.current().client is encrypted too; staff decode them through the codec server', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    await linesAwaitingValidation(sys.db, order);
    const acme = order.lines.find((l) => l.sellerId === DEMO.sellers.acme.id)!;
    const globex = order.lines.find((l) => l.sellerId === DEMO.sellers.globex.id)!;
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${acme.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'IMAP: mail.acme.test' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    await waitState(env.client, acme.lineId, (s) => s.status === 'active' && s.paidPeriods === 1);

    // The withdrawal's activities reach the lines' workflows through the worker's own client:
    // an Update with arguments to the undecided line, one to the subscription.
    const withdrawal = await env.client.workflow.start(orderWithdrawalWorkflow, {
      workflowId: orderWithdrawalWorkflowId(order.orderId),
      taskQueue: sys.taskQueue,
      args: [{ orderId: order.orderId, customerId: order.customerId }],
    });
    const result = await withdrawal.executeUpdate(orderWithdrawalResultUpdate);
    expect(result.status).toBe('withdrawn');
    const outcomes = result.status === 'withdrawn' ? Object.fromEntries(result.lines.map((l) => [l.lineId, l.outcome])) : {};
    expect(outcomes).toEqual({ [acme.lineId]: 'withdrawn', [globex.lineId]: 'cancelled' });

    // Raw histories, fetched by a client without the codec.
    const plainClient = new Client({ connection: env.connection, namespace: 'default' });
    const ids = [orderWorkflowId(order.orderId), orderLineWorkflowId(acme.lineId), orderLineWorkflowId(globex.lineId), subscriptionWorkflowId(acme.lineId), orderWithdrawalWorkflowId(order.orderId)];
    const histories = new Map<string, temporal.api.history.v1.IHistory>();
    for (const id of ids) histories.set(id, await plainClient.workflow.getHandle(id).fetchHistory());

    let count = 0;
    for (const [id, history] of histories) {
      const found = payloadsOf(history.events);
      expect(found.length, id).toBeGreaterThan(0);
      count += found.length;
      // The one exception: a patched() marker, which the SDK's core writes itself (never through
      // the codec) and which holds only the patch's id, a name in the workflow code.
      const patchMarkers = found.filter(({ path }) => path.endsWith('.markerRecordedEventAttributes.details.patch-data.payloads.0'));
      for (const { payload } of patchMarkers) expect(Object.keys(defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload)).sort()).toEqual(['deprecated', 'id']);
      const app = found.filter((p) => !patchMarkers.includes(p));
      const plain = app.filter(({ payload }) => decode(payload.metadata!.encoding) !== ENCRYPTED_ENCODING).map(({ path, payload }) => `${id}${path}: ${decode(payload.metadata!.encoding)}`);
      expect(plain).toEqual([]);
      for (const { payload } of app) expect(decode(payload.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe(TEST_PAYLOAD_KEY_ID);
      // Not a byte of the order's personal data in what Temporal stores.
      const raw = historyToJSON(history);
      expect(raw, id).not.toContain(order.email);
      expect(Buffer.from(raw).toString('latin1')).not.toContain(Buffer.from(order.email).toString('base64').slice(0, 12));
    }
    expect(count).toBeGreaterThan(20);

    // Context.current().client: the cancellation the activity sent to the undecided line.
    const lineEvents = histories.get(orderLineWorkflowId(globex.lineId))!.events ?? [];
    const byActivity = lineEvents.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes).filter((a) => a?.acceptedRequest?.input?.args?.payloads?.length);
    expect(byActivity.length).toBeGreaterThan(0);
    for (const a of byActivity) {
      for (const p of a!.acceptedRequest!.input!.args!.payloads!) expect(decode(p.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    }

    // Staff read them through the codec server: the order workflow's input, decoded.
    const orderEvents = histories.get(orderWorkflowId(order.orderId))!.events ?? [];
    const input = orderEvents[0].workflowExecutionStartedEventAttributes!.input!.payloads!;
    const res = await post('/decode', { key: DEMO_KEYS.support, body: { payloads: input.map(toJson) } });
    expect(res.status, res.text).toBe(200);
    expect(defaultPayloadConverter.fromPayload(fromJson(res.json.payloads[0]))).toMatchObject({ orderId: order.orderId });
    expect((await post('/decode', { key: DEMO_KEYS.customer, body: { payloads: input.map(toJson) } })).status).toBe(403);

    // The CLI too, with --codec-endpoint and the staff key.
    const show = (auth?: string) =>
      promisify(execFile)(temporalCliPath(), ['workflow', 'show', '--address', env.address, '--namespace', 'default', '-w', orderLineWorkflowId(globex.lineId), '-o', 'json', '--codec-endpoint', url(), ...(auth ? ['--codec-auth', auth] : [])], { maxBuffer: 64 << 20 });
    const shown = await show(`Bearer ${DEMO_KEYS.ops}`);
    expect(shown.stdout).toContain('"eventType"');
    expect(shown.stdout).not.toContain(Buffer.from(ENCRYPTED_ENCODING).toString('base64'));
    const shownData = [...shown.stdout.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'));
    expect(shownData.join('\n')).toContain(globex.lineId);
    const ops = await labelOf(DEMO_KEYS.ops);
    expect(audit.some((l) => l.includes(`"${ops}"`))).toBe(true);

    // Recorded histories now hold ciphertext: they replay with the test keys, not without.
    const replay = async (dataConverter?: ReturnType<typeof testDataConverter>) => {
      const outcomes: (string | undefined)[] = [];
      for await (const r of Worker.runReplayHistories(
        { workflowBundle: await workflowBundle(), ...(dataConverter ? { dataConverter } : {}) },
        [...histories].map(([workflowId, history]) => ({ workflowId, history })),
      )) {
        outcomes.push(r.error ? `${r.workflowId}: ${r.error.name}: ${r.error.message}` : undefined);
      }
      return outcomes;
    };
    expect((await replay(testDataConverter())).filter(Boolean)).toEqual([]);
    expect((await replay()).filter(Boolean).length).toBe(histories.size);
  });
});
