// X-7: the codec server, the only way a person reads a decrypted payload. Temporal's remote codec
// protocol (POST /decode and POST /encode, `{ payloads: [{ metadata: {k: base64}, data: base64 }] }`
// as proto JSON, as in temporalio/samples-typescript `encryption/src/codec-server.ts`), called by
// the Temporal UI from the browser and by `temporal --codec-endpoint`.
//
// Only staff: `Authorization: Bearer <staff API key>` (CLI, scripts), or the session cookie that the
// sign-in page here sets (the browser: the UI fetches with `credentials: 'include'` when its codec
// setting "include credentials" is on; it cannot send our API keys). The session is
// `cs1.<sha256 of the key>.<expiry>.<HMAC>` under CODEC_SESSION_SECRET, HttpOnly, SameSite=Lax, 8 h;
// every request looks the key up again, so a revoked or expired key ends its sessions at once.
// Each decode and encode is logged with the staff member's label.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { hashKey } from '../api/auth';
import { Problem, sendProblem } from '../api/problem';
import { listenApi } from '../api/server';
import type { Db } from './db';
import { PayloadDecryptionError } from './payload-codec';

export const SESSION_COOKIE = 'codec_session';
export const SESSION_TTL_MS = 8 * 3600_000;

export interface CodecServerOptions {
  db: Db;
  codec: PayloadCodec;
  /** Origins of the Temporal UI, allowed to call with credentials (CORS). */
  uiOrigins: string[];
  /** Signs the session cookies; sessions end when it changes. */
  sessionSecret: string;
  sessionTtlMs?: number;
  /** Mark the cookie Secure (behind HTTPS). */
  secureCookie?: boolean;
  /** The audit log of decodes; default console.log. */
  log?: (line: string) => void;
}

export interface CodecServerSettings {
  port: number;
  host?: string;
  uiOrigins: string[];
  sessionSecret: string;
  /** True when CODEC_SESSION_SECRET was unset and a secret was generated. */
  generatedSecret: boolean;
  secureCookie: boolean;
}

/** CODEC_PORT (8888), CODEC_HOST (every interface), TEMPORAL_UI_ORIGIN (comma-separated), CODEC_SESSION_SECRET, CODEC_COOKIE_SECURE. */
export function codecServerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CodecServerSettings {
  const secret = env.CODEC_SESSION_SECRET || undefined;
  return {
    port: Number(env.CODEC_PORT ?? 8888),
    host: env.CODEC_HOST || undefined,
    uiOrigins: (env.TEMPORAL_UI_ORIGIN || 'http://localhost:8233').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean),
    sessionSecret: secret ?? randomBytes(32).toString('base64url'),
    generatedSecret: !secret,
    secureCookie: env.CODEC_COOKIE_SECURE === 'true',
  };
}

interface Staff {
  label: string;
  keyHash: string;
  keyId?: string;
  /** Epoch ms: the key's own expiry, if any. */
  keyExpiresAt?: number;
  via: 'bearer' | 'session';
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

function signature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(`codec-session:v1:${body}`).digest('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sessionCookieValue(secret: string, keyHash: string, expiresAtMs: number): string {
  const body = `${keyHash}.${Math.floor(expiresAtMs / 1000)}`;
  return `cs1.${body}.${signature(secret, body)}`;
}

/** The key hash of a valid, unexpired session cookie value. */
function verifySession(secret: string, value: string): string | undefined {
  const [version, keyHash, expText, sig] = value.split('.');
  if (version !== 'cs1' || !keyHash || !expText || !sig) return undefined;
  if (!same(sig, signature(secret, `${keyHash}.${expText}`))) return undefined;
  if (Number(expText) * 1000 <= Date.now()) return undefined;
  return keyHash;
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The staff member holding the key of this hash, or a 401/403 Problem. */
async function staffByKeyHash(db: Db, keyHash: string, via: Staff['via']): Promise<Staff> {
  const row = await db.apiKey.findUnique({ where: { hash: keyHash } });
  if (!row) throw Problem.unauthorized(via === 'session' ? 'the key of this session no longer exists: sign in again' : 'unknown API key');
  if (row.revokedAt) throw Problem.unauthorized('this API key was revoked');
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw Problem.unauthorized('this API key has expired');
  if (row.kind !== 'staff') throw Problem.forbidden('only staff may decode payloads');
  return { label: row.label, keyHash, keyId: row.keyId ?? undefined, keyExpiresAt: row.expiresAt?.getTime(), via };
}

function bearerKey(req: Request): string | undefined {
  const authorization = req.header('authorization');
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw Problem.unauthorized('Authorization must be "Bearer <staff API key>"');
  return match[1];
}

function fromJson(p: JsonPayload, i: number): Payload {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw Problem.badRequest([{ field: `payloads[${i}]`, message: 'must be a payload object' }]);
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw Problem.badRequest([{ field: `payloads[${i}].metadata.${k}`, message: 'must be base64' }]);
    metadata[k] = Buffer.from(v, 'base64');
  }
  if (p.data !== undefined && p.data !== null && typeof p.data !== 'string') throw Problem.badRequest([{ field: `payloads[${i}].data`, message: 'must be base64' }]);
  return { metadata, data: p.data ? Buffer.from(p.data, 'base64') : undefined };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Marketplace codec server</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}input[type=password]{width:100%;padding:.4rem}button{margin-top:.6rem;padding:.4rem 1rem}.err{color:#b00020}code{background:#eee;padding:0 .2rem}</style>
</head><body><h1>Marketplace codec server</h1>${body}</body></html>`;
}

export function createCodecServerApp(opts: CodecServerOptions): express.Express {
  const ttl = opts.sessionTtlMs ?? SESSION_TTL_MS;
  const log = opts.log ?? ((line: string) => console.log(line));
  const origins = new Set(opts.uiOrigins);
  const app = express();
  app.disable('x-powered-by');

  const ownOrigin = (req: Request) => `${req.protocol}://${req.get('host')}`;

  // CORS for the Temporal UI: its exact origin, with credentials (the session cookie).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.header('origin');
    res.vary('Origin');
    if (origin && origins.has(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method === 'OPTIONS') {
      if (!origin || !origins.has(origin)) return sendProblem(res, Problem.forbidden(`origin ${origin ?? '(none)'} is not a Temporal UI origin of TEMPORAL_UI_ORIGIN`));
      res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.set('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.set('Access-Control-Max-Age', '600');
      return res.status(204).end();
    }
    next();
  });

  const authenticate = async (req: Request): Promise<Staff> => {
    const key = bearerKey(req);
    if (key !== undefined) return staffByKeyHash(opts.db, hashKey(key), 'bearer');
    const session = cookie(req, SESSION_COOKIE);
    if (session === undefined) throw Problem.unauthorized(`send "Authorization: Bearer <staff API key>", or sign in at ${ownOrigin(req)}/`);
    // A cookie rides along on any request the browser makes: only from the UI or this page.
    const origin = req.header('origin');
    if (origin && !origins.has(origin) && origin !== ownOrigin(req)) throw Problem.forbidden(`a session is usable from the Temporal UI only, not from ${origin}`);
    const keyHash = verifySession(opts.sessionSecret, session);
    if (!keyHash) throw Problem.unauthorized(`the session has expired or is invalid: sign in again at ${ownOrigin(req)}/`);
    return staffByKeyHash(opts.db, keyHash, 'session');
  };

  const codecRoute = (op: 'decode' | 'encode') => async (req: Request, res: Response) => {
    const staff = await authenticate(req);
    const body = req.body as { payloads?: unknown } | undefined;
    // Proto JSON leaves an empty list out: `{}` is no payloads (the CLI sends it).
    const list = body?.payloads ?? [];
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(list)) {
      throw Problem.badRequest([{ field: 'payloads', message: 'must be an array of payloads' }]);
    }
    const input = (list as JsonPayload[]).map(fromJson);
    const namespace = req.header('x-namespace') ?? '(no X-Namespace)';
    let output: Payload[];
    try {
      output = op === 'decode' ? await opts.codec.decode(input) : await opts.codec.encode(input);
    } catch (err) {
      log(`[codec-server] ${op} refused for staff "${staff.label}" (namespace ${namespace}): ${(err as Error).message}`);
      if (err instanceof PayloadDecryptionError) throw Problem.unprocessable('undecodable-payload', 'Payload cannot be decrypted', err.message);
      throw err;
    }
    log(`[codec-server] ${op}: ${input.length} payload(s) for staff "${staff.label}"${staff.keyId ? ` (key ${staff.keyId})` : ''}, namespace ${namespace}, via ${staff.via}`);
    res.set('Cache-Control', 'no-store');
    res.json({ payloads: output.map(toJson) });
  };
  const json = express.json({ limit: '32mb' });
  app.post('/decode', json, codecRoute('decode'));
  app.post('/encode', json, codecRoute('encode'));

  const htmlHeaders = (res: Response) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    res.set('Cache-Control', 'no-store');
    res.type('html');
  };

  app.get('/', async (req: Request, res: Response) => {
    htmlHeaders(res);
    const session = cookie(req, SESSION_COOKIE);
    const keyHash = session ? verifySession(opts.sessionSecret, session) : undefined;
    const staff = keyHash ? await staffByKeyHash(opts.db, keyHash, 'session').catch(() => undefined) : undefined;
    const ui = [...origins].map((o) => `<a href="${escapeHtml(o)}">${escapeHtml(o)}</a>`).join(', ');
    const howTo = `<p>In the Temporal UI (${ui || 'TEMPORAL_UI_ORIGIN'}), the codec server endpoint is <code>${escapeHtml(ownOrigin(req))}</code>, with
<em>include cross-origin credentials</em> on (on the dev server's UI: its Codec Server setting, in the browser).
Open the UI on the same host name as this page (<code>localhost</code> with <code>localhost</code>): the session cookie is not sent across sites.</p>`;
    if (staff) {
      res.send(page(`<p>Signed in as <strong>${escapeHtml(staff.label)}</strong>: the Temporal UI decodes payloads for you until this session ends (8 hours at most). Each decode is logged in your name.</p>${howTo}
<form method="post" action="/session/end"><button type="submit">Sign out</button></form>`));
      return;
    }
    res.send(page(`<p>Staff only. Sign in with your staff API key to read decrypted payloads in the Temporal UI.</p>
<form method="post" action="/session"><label>Staff API key<br><input type="password" name="key" autocomplete="off" required autofocus></label><br><button type="submit">Sign in</button></form>${howTo}`));
  });

  app.post('/session', express.urlencoded({ extended: false, limit: '4kb' }), express.json({ limit: '4kb' }), async (req: Request, res: Response) => {
    const form = Boolean(req.is('application/x-www-form-urlencoded'));
    const key = typeof req.body?.key === 'string' ? req.body.key.trim() : '';
    let staff: Staff;
    try {
      if (!key) throw Problem.unauthorized('send the staff API key as `key`');
      staff = await staffByKeyHash(opts.db, hashKey(key), 'session');
    } catch (err) {
      if (form && err instanceof Problem) {
        htmlHeaders(res);
        res.status(err.status).send(page(`<p class="err">${escapeHtml(err.detail ?? err.title)}</p><p><a href="/">Try again</a></p>`));
        return;
      }
      throw err;
    }
    const expiresAt = Math.min(Date.now() + ttl, staff.keyExpiresAt ?? Infinity);
    const maxAge = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
    res.set('Set-Cookie', `${SESSION_COOKIE}=${sessionCookieValue(opts.sessionSecret, staff.keyHash, expiresAt)}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${opts.secureCookie ? '; Secure' : ''}`);
    log(`[codec-server] session opened for staff "${staff.label}"${staff.keyId ? ` (key ${staff.keyId})` : ''} until ${new Date(expiresAt).toISOString()}`);
    if (form) return res.redirect(303, '/');
    res.json({ staff: staff.label, expiresAt: new Date(expiresAt).toISOString() });
  });

  app.post('/session/end', (_req: Request, res: Response) => {
    res.set('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${opts.secureCookie ? '; Secure' : ''}`);
    res.redirect(303, '/');
  });

  app.get('/health', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  app.use((req: Request, res: Response) => {
    sendProblem(res, Problem.notFound(`no route ${req.method} ${req.path}`), req.path);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof Problem) return sendProblem(res, err, req.path);
    const status = (err as { status?: number }).status;
    if ((err as { type?: string }).type === 'entity.parse.failed') return sendProblem(res, Problem.badRequest([{ field: 'body', message: 'malformed JSON' }]), req.path);
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendProblem(res, new Problem(status, 'invalid-request', 'Invalid request', (err as Error).message, { errors: [{ field: 'body', message: (err as Error).message }] }), req.path);
    }
    console.error(`[codec-server] ${req.method} ${req.path}:`, err);
    sendProblem(res, new Problem(500, 'internal', 'Internal error'), req.path);
  });
  return app;
}

export interface CodecServer {
  server: Server;
  /** http://localhost:<port> (the host name the sign-in page and the UI should share). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `publicHost`: the host name printed in its URL (default localhost). */
export async function startCodecServer(opts: CodecServerOptions & { port: number; host?: string; publicHost?: string }): Promise<CodecServer> {
  const server = await listenApi(createCodecServerApp(opts), opts.port, opts.host);
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${opts.publicHost ?? 'localhost'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
