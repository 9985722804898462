// Building blocks of the property-based API tests (test/api-fuzz.test.ts):
// - a raw HTTP client that sends whatever the fuzzer made (any method, path bytes, header, body,
//   a body on GET), where fetch would refuse or normalize it;
// - a read-only probe of every table of the database, to prove that a refused request wrote
//   nothing (X-5, X-6), and a wait until the worker is idle, so that the probe compares like with like;
// - fast-check arbitraries that break a valid request body a little (drop a field, change its
//   type, add an unknown one, nest it deeper, huge numbers), so the fuzzer gets past the first
//   validation layer, and a shape check that says when such a body is invalid for sure.
import { expectDocumented } from './openapi-check';
import { createHash } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import pg from 'pg';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';

// --- raw HTTP --------------------------------------------------------------------------------------

export interface RawRequest {
  method: string;
  /** Sent byte for byte (percent-encodings, invalid ones included, are not touched). */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string;
}

export interface RawResponse {
  status: number;
  contentType: string;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON. */
  json: any;
}

/**
 * One request on its own connection: a response that closes the socket cannot affect the next.
 * Its answer is checked against /openapi.json (X-5).
 */
export async function sendRaw(baseUrl: string, req: RawRequest, timeoutMs = 60_000): Promise<RawResponse> {
  const res = await sendOnce(baseUrl, req, timeoutMs);
  await expectDocumented(baseUrl, req.method, req.path, { status: res.status, contentType: res.contentType, body: res.json });
  return res;
}

function sendOnce(baseUrl: string, req: RawRequest, timeoutMs: number): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers: Record<string, string | string[]> = { ...req.headers };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  return new Promise((resolve, reject) => {
    const r = request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), headers: res.headers, text, json });
      });
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A short, printable description of a request for failure messages. */
export function describeRequest(req: RawRequest): string {
  const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${clip(JSON.stringify(v), 120)}`)
    .join('; ');
  // Bytes outside visible ASCII are shown escaped: a raw 0xA1 and a "!" must not look alike.
  const path = req.path.replace(/[^\x21-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${req.method} ${clip(path, 400)} [${headers}]${req.body === undefined ? '' : ` body=${clip(req.body)}`}`;
}

// --- the database, read-only --------------------------------------------------------------------

export interface TableState {
  count: number;
  hash: string;
  rows: string[];
}
export type DbSnapshot = Record<string, TableState>;

/**
 * Every table of the test database, read through a connection of its own (another session, so
 * it sees only what was committed): the row count and a hash of every row, so an update is seen
 * as well as an insert. Rows are ordered by their whole JSON, since PostgreSQL has no stable
 * physical order.
 */
export class DbProbe {
  private constructor(
    private readonly client: pg.Client,
    readonly tables: string[],
  ) {}

  static async open(databaseUrl: string): Promise<DbProbe> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const tables = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY table_name",
    );
    return new DbProbe(client, tables.rows.map((r) => r.name));
  }

  async snapshot(): Promise<DbSnapshot> {
    const out: DbSnapshot = {};
    for (const table of this.tables) {
      const result = await this.client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table}" t ORDER BY 1`);
      const rows = result.rows.map((r) => r.row);
      out[table] = { count: rows.length, hash: createHash('sha1').update(rows.join('\n')).digest('hex'), rows };
    }
    return out;
  }

  async column(sql: string): Promise<string[]> {
    const result = await this.client.query({ text: sql, rowMode: 'array' });
    return result.rows.map((r: unknown[]) => String(r[0]));
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** What changed between two snapshots, table by table, with a few of the rows. */
export function dbChanges(before: DbSnapshot, after: DbSnapshot): string[] {
  const changes: string[] = [];
  for (const table of Object.keys(after)) {
    const a = before[table];
    const b = after[table];
    if (a && a.hash === b.hash) continue;
    const old = new Set(a?.rows ?? []);
    const now = new Set(b.rows);
    const added = b.rows.filter((r) => !old.has(r)).slice(0, 3);
    const removed = (a?.rows ?? []).filter((r) => !now.has(r)).slice(0, 3);
    changes.push(`${table}: ${a?.count ?? 0} → ${b.count} rows; new/changed ${JSON.stringify(added)}; gone/old ${JSON.stringify(removed)}`);
  }
  return changes;
}

/** The tables whose rows differ between two snapshots. */
export function changedTables(before: DbSnapshot, after: DbSnapshot): string[] {
  return Object.keys(after).filter((t) => before[t]?.hash !== after[t].hash);
}

// --- waiting for the worker to be idle ------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until nothing is in flight: no running workflow of the task queue has an activity or a
 * workflow task pending (a retry waiting for its backoff counts as pending), and the database has
 * not changed for a few polls. Returns the settled database.
 */
export async function settle(probe: DbProbe, client: Client, taskQueue: string, timeoutMs = 30_000): Promise<DbSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe.snapshot();
  let stable = 0;
  for (;;) {
    await sleep(50);
    const busy = await busyWorkflows(probe, client, taskQueue);
    const now = await probe.snapshot();
    const same = Object.keys(now).every((t) => last[t]?.hash === now[t].hash);
    stable = busy.length === 0 && same ? stable + 1 : 0;
    if (stable >= 3) return now;
    last = now;
    if (Date.now() > deadline) throw new Error(`the system did not settle within ${timeoutMs} ms; busy: ${busy.join(', ') || '(database still changing)'}`);
  }
}

const closed = new Set<string>();

async function busyWorkflows(probe: DbProbe, client: Client, taskQueue: string): Promise<string[]> {
  // The read model names most workflows at once; visibility adds the others (withdrawals), maybe late.
  const ids = new Set<string>([
    ...(await probe.column('SELECT id FROM "Order"')).map((id) => `Order:${id}`),
    ...(await probe.column(`SELECT id FROM "OrderLine" WHERE status NOT IN ('awaiting_payment', 'payment_failed')`)).map((id) => `OrderLine:${id}`),
    ...(await probe.column('SELECT id FROM "Subscription"')).map((id) => `Subscription:${id}`),
    ...(await probe.column('SELECT id FROM "Ticket"')).map((id) => `Ticket:${id}`),
    ...(await probe.column('SELECT id FROM "SellerCase"')).map((id) => `SellerCase:${id}`),
    ...(await probe.column('SELECT id FROM "SellerApplication"')).map((id) => `SellerApplication:${id}`),
  ]);
  for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"` })) ids.add(wf.workflowId);
  const busy = await Promise.all(
    [...ids]
      .filter((id) => !closed.has(`${taskQueue}/${id}`))
      .map(async (id) => {
        try {
          const d = await client.workflow.getHandle(id).describe();
          if (d.status.name !== 'RUNNING') {
            closed.add(`${taskQueue}/${id}`);
            return undefined;
          }
          return (d.raw.pendingActivities?.length ?? 0) > 0 || d.raw.pendingWorkflowTask ? id : undefined;
        } catch {
          return undefined; // not started (yet): its starter is busy, or it never will be
        }
      }),
  );
  return busy.filter((id): id is string => id !== undefined);
}

// --- request bodies ----------------------------------------------------------------------------------

export type Path = (string | number)[];

/** A number written as it is into the JSON text (1e400, 123456789012345678901234567890, -0). */
const RAW = '\u0000raw:';
export const rawNumber = (token: string): string => `${RAW}${token}\u0000`;
const isRaw = (v: unknown): boolean => typeof v === 'string' && v.startsWith(RAW);

/** JSON text of a body, raw number tokens unquoted. */
export function bodyText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000raw:([^"\\]+)\\u0000"/g, '$1');
}

type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'undefined';
function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isRaw(v)) return 'number';
  const t = typeof v;
  return t === 'boolean' || t === 'number' || t === 'string' || t === 'object' ? t : 'undefined';
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A copy of `o` with `k` set as an own property (even "__proto__"). */
function withKey(o: Record<string, unknown>, k: string, v: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(o)) Object.defineProperty(copy, key, { value: o[key], enumerable: true, writable: true, configurable: true });
  Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  return copy;
}

function withoutKey(o: Record<string, unknown>, k: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(o)) if (key !== k) Object.defineProperty(copy, key, { value: o[key], enumerable: true, writable: true, configurable: true });
  return copy;
}

function getAt(v: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], v);
}

/** `v` with the node at `path` replaced by `f(node)` (undefined = removed); nothing is mutated. */
function updateAt(v: unknown, path: Path, f: (node: unknown) => unknown): unknown {
  if (path.length === 0) return f(v);
  const [k, ...rest] = path;
  if (Array.isArray(v)) {
    const i = k as number;
    const next = updateAt(v[i], rest, f);
    const copy = [...v];
    if (next === undefined && rest.length === 0) copy.splice(i, 1);
    else copy[i] = next;
    return copy;
  }
  const o = v as Record<string, unknown>;
  const next = updateAt(o[k as string], rest, f);
  return next === undefined && rest.length === 0 ? withoutKey(o, k as string) : withKey(o, k as string, next);
}

function nodes(v: unknown, path: Path = []): Path[] {
  const out: Path[] = [path];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...nodes(x, [...path, i])));
  else if (jsonType(v) === 'object') for (const k of Object.keys(v as object)) out.push(...nodes((v as Record<string, unknown>)[k], [...path, k]));
  return out;
}

/**
 * Where `value` breaks the shape of the valid `example` for sure: a missing key, an unknown key,
 * a value of another JSON type. Every body schema of the API is a strict object whose keys are
 * all required, so such a body is invalid whatever the other constraints say. Array items are
 * checked against the example's first item.
 */
export function shapeViolations(example: unknown, value: unknown, path: Path = []): Path[] {
  const t = jsonType(example);
  if (t !== jsonType(value)) return [path];
  if (t === 'object') {
    const e = example as Record<string, unknown>;
    const v = value as Record<string, unknown>;
    const out: Path[] = [];
    for (const k of Object.keys(e)) out.push(...(own(v, k) ? shapeViolations(e[k], v[k], [...path, k]) : [[...path, k]]));
    for (const k of Object.keys(v)) if (!own(e, k)) out.push([...path, k]);
    return out;
  }
  if (t === 'array') {
    const e = example as unknown[];
    return e.length === 0 ? [] : (value as unknown[]).flatMap((x, i) => shapeViolations(e[0], x, [...path, i]));
  }
  return [];
}

export const fieldName = (location: string, path: Path) => [location, ...path.map(String)].join('.');

/** The field `a` is `b`, inside it or around it (`body.card` and `body.card.cvc` are related). */
export function related(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

const long = (n: number, c = 'x') => c.repeat(n);

/** Strings on the edges of the API's constraints (lengths, formats, enums, ids, test cards). */
export const edgeString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '   ',
    '\t\n',
    '\u0000',
    '\u202e\u0000\ufeff',
    'null',
    '0',
    'true',
    '[]',
    '{}',
    'MANUAL',
    'auto',
    'manual',
    'business',
    'individual',
    'company',
    '4242424242424242',
    '4242 4242 4242 4242',
    '4242-4242-4242-4242',
    '4000000000000002',
    '4000000000009979',
    '4000000000000119',
    '4111111111111111',
    '424242424242424',
    '12',
    '123',
    '1234',
    '12345',
    'a@b.co',
    '@',
    'x5-fuzz@example.test',
    'X5-FUZZ@EXAMPLE.TEST',
    `${long(250)}@example.test`,
    'off_acme_mail',
    'off_acme_crm',
    'off_globex_backup',
    'off_initech_wiki',
    'off_does_not_exist',
    'sel_acme',
    'sel_globex',
    'sel_initech',
    'acme-2026-01',
    'acme-2020-01',
    'globex-v3',
    'ABCD1234',
  ),
  fc.constantFrom(1, 3, 4, 8, 20, 21, 50, 51, 79, 80, 81, 100, 101, 200, 201, 254, 255, 300, 301, 2000, 2001, 5000, 5001, 20_000).map((n) => long(n)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Numbers on the edges of the API's ranges, some written raw (1e400 is Infinity once parsed). */
export const edgeNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1, 11, 12, 13, 23, 24, 25, 336, 337, 1999, 2000, 2030, 2100, 2101, 1.5, -0.5, 2 ** 31, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE),
  fc.constantFrom('1e400', '-1e400', '1e309', '123456789012345678901234567890', '9007199254740993', '1e-400', '-0', '0.1e1', '24.0', '2.4e1', '12.000000000000001').map(rawNumber),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Values of any type on the edges of the API's constraints. */
export const edgeValue: fc.Arbitrary<unknown> = fc.oneof(edgeString, edgeNumber, fc.constantFrom<unknown>(true, false, null, [], {}, [null], [[]], { '': '' }));

/** Keys that no body schema has, some of them treacherous for a JavaScript object. */
const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'extra', 'Customer', 'email ', 'card.number', '$where', 'id'),
  fc.string({ maxLength: 12 }),
);

const mutationOp = fc.record({
  kind: fc.constantFrom('drop', 'replace', 'replaceEdge', 'add', 'deepen', 'retype'),
  at: fc.nat(),
  value: fc.jsonValue({ maxDepth: 3 }),
  edge: edgeValue,
  str: edgeString,
  num: edgeNumber,
  key: unknownKey,
  depth: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(64, 1000)),
  wrap: fc.constantFrom('array', 'object'),
});
type MutationOp = (typeof mutationOp extends fc.Arbitrary<infer T> ? T : never) | { kind: 'tweak'; at: number; str: string; num: unknown };

/** A leaf replaced by another value of its type: the shape holds, the constraints are tested. */
const tweakOp: fc.Arbitrary<MutationOp> = fc.record({ kind: fc.constant('tweak' as const), at: fc.nat(), str: edgeString, num: edgeNumber });

function applyOp(value: unknown, op: MutationOp): { value: unknown; touched?: Path; label?: string } {
  const all = nodes(value);
  const pick = (eligible: Path[]) => (eligible.length === 0 ? undefined : eligible[op.at % eligible.length]);
  const show = (p: Path) => fieldName('body', p);
  switch (op.kind) {
    case 'drop': {
      const p = pick(all.filter((n) => n.length > 0));
      return p ? { value: updateAt(value, p, () => undefined), touched: p, label: `drop ${show(p)}` } : { value };
    }
    case 'replace':
    case 'replaceEdge': {
      const p = pick(all)!;
      const v = op.kind === 'replace' ? op.value : op.edge;
      return { value: updateAt(value, p, () => v), touched: p, label: `${show(p)} := ${bodyText(v)?.slice(0, 60)}` };
    }
    case 'add': {
      const p = pick(all.filter((n) => jsonType(getAt(value, n)) === 'object'));
      return p
        ? { value: updateAt(value, p, (o) => withKey(o as Record<string, unknown>, op.key, op.value)), touched: [...p, op.key], label: `add ${show([...p, op.key])}` }
        : { value };
    }
    case 'deepen': {
      const p = pick(all)!;
      const wrapped = (node: unknown) => {
        let out = node;
        for (let i = 0; i < op.depth; i++) out = op.wrap === 'array' ? [out] : { nested: out };
        return out;
      };
      return { value: updateAt(value, p, wrapped), touched: p, label: `${show(p)} nested ${op.depth} deeper in ${op.wrap}s` };
    }
    case 'tweak': {
      const p = pick(all.filter((n) => ['string', 'number', 'boolean'].includes(jsonType(getAt(value, n)))));
      if (!p) return { value };
      const v = ((old: unknown) => (typeof old === 'string' && !isRaw(old) ? op.str : typeof old === 'boolean' ? !old : op.num))(getAt(value, p));
      return { value: updateAt(value, p, () => v), touched: p, label: `${show(p)} := ${bodyText(v)?.slice(0, 60)}` };
    }
    case 'retype': {
      const p = pick(all.filter((n) => ['string', 'number', 'boolean'].includes(jsonType(getAt(value, n)))));
      if (!p) return { value };
      const flip = (x: unknown) => (typeof x === 'string' ? (Number.isNaN(Number(x)) ? x.length : Number(x)) : String(x));
      return { value: updateAt(value, p, flip), touched: p, label: `${show(p)} retyped` };
    }
  }
}

export type BodyCase =
  | { kind: 'none' }
  | { kind: 'valid'; value: unknown; text: string }
  | { kind: 'mutated'; value: unknown; text: string; ops: string[]; touched: Path[]; violations: Path[] }
  | { kind: 'json'; value: unknown; text: string }
  | { kind: 'raw'; text: string };

/** Applies the ops in turn; records where they touched and where the shape is now broken for sure. */
function mutated(example: unknown, ops: MutationOp[]): BodyCase {
  let value = example;
  const touched: Path[] = [];
  const labels: string[] = [];
  for (const op of ops) {
    const r = applyOp(value, op);
    value = r.value;
    if (r.touched) touched.push(r.touched);
    if (r.label) labels.push(r.label);
  }
  return { kind: 'mutated', value, text: bodyText(value), ops: labels, touched, violations: shapeViolations(example, value) };
}

/**
 * A body for a route whose valid example is `example`: mostly that example broken a little (its
 * shape, or only the values of its fields), sometimes as it is, any JSON, not JSON, or none.
 */
export function bodyArb(example: unknown): fc.Arbitrary<BodyCase> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(mutationOp as fc.Arbitrary<MutationOp>, { minLength: 1, maxLength: 3 }).map((ops) => mutated(example, ops)) },
    { weight: 6, arbitrary: fc.array(tweakOp, { minLength: 1, maxLength: 2 }).map((ops) => mutated(example, ops)) },
    { weight: 2, arbitrary: fc.constant<BodyCase>({ kind: 'valid', value: example, text: bodyText(example) }) },
    { weight: 2, arbitrary: fc.jsonValue().map((value): BodyCase => ({ kind: 'json', value, text: JSON.stringify(value) ?? 'null' })) },
    { weight: 1, arbitrary: notJson.map((text): BodyCase => ({ kind: 'raw', text })) },
    { weight: 1, arbitrary: fc.constant<BodyCase>({ kind: 'none' }) },
  );
}

/** Text that JSON.parse refuses. */
export const notJson: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom('{"a":', '{', '[', '{"a":1,}', "{'a':1}", 'undefined', 'NaN', '{"a":NaN}', '{"a":1e}', '\u0000', '--', '{"a":"\\x"}', '{"a":"\ud800"}x'),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  )
  .filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  });

// --- headers and ids ---------------------------------------------------------------------------------

/** Characters a header value may carry on the wire (Node refuses the others before sending). */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
).map((c) => String.fromCharCode(c));
export const headerValue = (maxLength = 80): fc.Arbitrary<string> => fc.string({ unit: headerChar, maxLength });

/** Percent-encodings, most of them invalid, and characters a path segment may carry raw. */
export const percentGarbage: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom('%', '%%', '%E0%A4%A', '%E0%A4%A8', '%C3%28', '%FF', '%FE%FF', '%00', '%2F', '%2f', '%2e', '%2E%2E', '%5C', '%ZZ', '%u0041', '%0A', '%0D%0A', '%20', '%3F', '%23', '%F0%9F%98', '%ED%A0%80'),
      fc.constantFrom('a', 'Z', '0', '-', '_', '.', '~', ':', '@', ';', '=', ',', '!', '$', "'", '(', ')', '*', '+', '&'),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''));

/** Any text as a client would put it in a path segment: percent-encoded UTF-8. */
export const encodedText: fc.Arbitrary<string> = fc
  .oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ maxLength: 30 }))
  .map(encodeURIComponent);

/** Characters Node sends raw in a path (0x21 to 0xff, no '/', '?' or '#'), latin-1 bytes included. */
export const rawSegment: fc.Arbitrary<string> = fc.string({
  unit: fc
    .oneof({ weight: 6, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) }, { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) })
    .filter((c) => c !== 0x2f && c !== 0x3f && c !== 0x23)
    .map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 30,
});

// --- list routes -------------------------------------------------------------------------------------

/** The query parameters the list routes know (api/pagination.ts and their filters), for the X-5 fuzzer. */
export const LIST_QUERY_KEYS = ['limit', 'cursor', 'status', 'kind'];

/**
 * Valid query strings of a list route: nothing, a limit on the edges of its range (1 to 100), a
 * value of each filter or none, and the parameters the route requires.
 */
export function listQueryArb(filters: Record<string, readonly string[]> = {}, required: fc.Arbitrary<Record<string, string>> = fc.constant({})): fc.Arbitrary<string> {
  const limit = fc.option(fc.constantFrom('1', '2', '20', '99', '100'), { nil: undefined });
  const values = fc.record(Object.fromEntries(Object.entries(filters).map(([k, vs]) => [k, fc.option(fc.constantFrom(...vs), { nil: undefined })])));
  return fc.tuple(required, values, limit).map(([req, f, l]) => {
    const all: Record<string, string | undefined> = { ...req, ...f, limit: l };
    const pairs = Object.entries(all).filter((p): p is [string, string] => p[1] !== undefined);
    return new URLSearchParams(pairs).toString();
  });
}

/** Who a list's caller is, as far as its items go. */
export interface ListCaller {
  kind: string;
  customerId?: string;
  sellerId?: string;
}

/**
 * X-6 on a list's answer (a 2xx of one of the list routes): every item is the caller's own. A
 * customer's orders, subscriptions, documents and tickets name it; its payments name one of its
 * orders; a seller's lines, subscriptions, documents, tickets (support ones only) and cases name it.
 * Staff lists (and other routes) are not owner-bound: true. `customerOfOrder` maps an order to
 * its account, as the fixtures know it.
 */
export function listItemsAreOwn(op: string, caller: ListCaller, body: unknown, customerOfOrder: (orderId: string) => string | undefined): boolean {
  const items = (body as { items?: Record<string, unknown>[] } | undefined)?.items;
  const own = (check: (item: Record<string, unknown>) => boolean) => Array.isArray(items) && items.every(check);
  switch (op) {
    case 'GET /me/orders':
    case 'GET /me/subscriptions':
      return own((i) => i.customerId === caller.customerId);
    case 'GET /me/payments':
      return own((i) => customerOfOrder(String(i.orderId)) === caller.customerId);
    case 'GET /customers/{customerId}/invoices':
      // Staff read any customer's documents; a customer only its own.
      return caller.kind === 'staff' || own((i) => i.customerId === caller.customerId);
    case 'GET /seller/lines':
    case 'GET /seller/subscriptions':
    case 'GET /seller/documents':
      return own((i) => i.sellerId === caller.sellerId);
    case 'GET /me/tickets':
    case 'GET /account/verifications':
      return own((i) => i.customerId === caller.customerId);
    case 'GET /seller/tickets':
      // X-6: a seller's support tickets only; incidents are the marketplace's.
      return own((i) => i.sellerId === caller.sellerId && i.kind === 'support');
    case 'GET /seller/cases':
      return own((i) => i.sellerId === caller.sellerId);
    case 'GET /seller/offers':
      // Each product, and every version in it, is the seller's own.
      return own((i) => i.sellerId === caller.sellerId && Array.isArray(i.versions) && (i.versions as { sellerId?: unknown }[]).every((v) => v.sellerId === caller.sellerId));
    case 'GET /seller/terms':
      return own((i) => i.sellerId === caller.sellerId);
    default:
      return true;
  }
}
