// One declaration per route: who may call it, the zod schemas of its input, its responses. The
// same declaration validates requests, checks the principal and feeds /openapi.json.
import type { Request, Response, Router } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OpenAPIRegistry, ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from './zod';
import type { Db } from '../infra/db';
import { actorOf, resolvePrincipal, type Principal } from './auth';
import { IdempotentRequest, type IdempotencySpec } from './idempotency';
import { Problem, type FieldError } from './problem';

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteContext<P, Q, B, H> {
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  headers: H;
  req: Request;
  /** Set on routes that declare `idempotency`: the handler claims its resource through it. */
  idempotency?: IdempotentRequest;
}

export interface RouteResult {
  status: number;
  /** JSON, or a Buffer sent as it is with `contentType` (e.g. a PDF), or a Readable streamed with it (an export). */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, H extends AnyObject> {
  method: 'get' | 'post';
  path: string;
  summary: string;
  tag: string;
  /** Who may call the route; anonymous callers of a closed route get 401, others 403. */
  allow: (p: Principal) => boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** The media types the body is documented in (OpenAPI); JSON unless the route says otherwise (a link page's form). */
  bodyContentTypes?: string[];
  headers?: H;
  /**
   * Every answer the route gives. A 2xx declares its body: a zod `schema` (the handler's result is
   * parsed through it before it is sent, so fields it does not list never leave the API) or the
   * `contentType` of a Buffer body (a PDF, an HTML page).
   */
  responses: Record<number, ResponseSpec>;
  /** Requires an Idempotency-Key header and makes repeats safe (api/idempotency.ts). */
  idempotency?: IdempotencySpec<z.infer<B>>;
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>, z.infer<H>>) => Promise<RouteResult>;
}

function fieldErrors(location: string, error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = [location, ...issue.path.map(String)];
    // An unknown key is named itself, not the object that holds it.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'unknown field' }));
    return [{ field: at.join('.'), message: issue.message }];
  });
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** Where a string holds U+0000: PostgreSQL's text cannot store it, so no route accepts one. */
function nulFields(value: unknown, at: string): FieldError[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [{ field: at, message: 'must not contain a NUL character' }] : [];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => nulFields(v, `${at}.${k}`));
  return [];
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, location: string, errors: FieldError[]): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const result = schema.safeParse(value);
  if (result.success) {
    const nul = nulFields(result.data, location);
    if (nul.length === 0) return result.data;
    errors.push(...nul);
    return undefined as z.infer<T>;
  }
  errors.push(...fieldErrors(location, result.error));
  return undefined as z.infer<T>;
}

const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** The header every idempotent route requires. */
const idempotencyHeader = z.object({
  'idempotency-key': z
    .string({ error: 'required: a key unique to this request (8 to 200 characters), sent again only to repeat it' })
    .min(8)
    .max(200),
});

/** A handler answered outside its declared responses: a defect of ours, never the caller's. */
export class ResponseContractError extends Error {}

/** The request's query parameters that the route does not declare (or every one, if it declares none). */
function unknownQueryFields(schema: AnyObject | undefined, query: unknown): FieldError[] {
  const keys = query && typeof query === 'object' ? Object.keys(query) : [];
  const known = schema ? Object.keys(schema.shape) : [];
  return keys.filter((k) => !known.includes(k)).map((k) => ({ field: `query.${k}`, message: 'unknown field' }));
}

/** A strict query schema reports an unknown parameter too: name it once. */
function uniqueErrors(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export class RouteTable {
  private readonly paths: string[] = [];
  /** Methods per path pattern, for 405 with Allow (RFC 9110 15.5.6). */
  private readonly methods = new Map<string, Set<string>>();

  constructor(
    private readonly router: Router,
    private readonly registry: OpenAPIRegistry,
    private readonly db: Db,
  ) {}

  add<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, H extends AnyObject>(spec: RouteSpec<P, Q, B, H>): void {
    for (const [status, r] of Object.entries(spec.responses)) {
      const code = Number(status);
      if (code >= 200 && code < 300 && code !== 204 && !r.schema && !r.contentType) {
        throw new Error(`${spec.method.toUpperCase()} ${spec.path}: response ${status} declares neither a schema nor a content type`);
      }
    }
    this.document(spec);
    this.paths.push(spec.path);
    this.allowMethod(spec.path, spec.method);
    this.router[spec.method](spec.path, async (req: Request, res: Response) => {
      const principal = await resolvePrincipal(this.db, req.header('authorization'));
      if (!spec.allow(principal)) {
        if (principal.kind === 'seller' && principal.active === false && spec.allow({ ...principal, active: true })) {
          throw Problem.forbidden('this seller account is suspended or closed: its keys do no seller action');
        }
        throw principal.kind === 'anonymous'
          ? Problem.unauthorized('this route needs an API key')
          : Problem.forbidden('your API key does not give access to this route');
      }
      const errors: FieldError[] = [];
      const params = parse(spec.params, req.params, 'params', errors);
      errors.push(...unknownQueryFields(spec.query, req.query));
      const query = parse(spec.query, req.query, 'query', errors);
      const headers = parse(spec.headers, req.headers, 'headers', errors);
      const idempotencyKey = spec.idempotency ? parse(idempotencyHeader, req.headers, 'headers', errors)?.['idempotency-key'] : undefined;
      const body = parse(spec.body, req.body ?? {}, 'body', errors);
      if (errors.length > 0) throw Problem.badRequest(uniqueErrors(errors));
      const ctx = { principal, params, query, body, headers, req };
      const result = spec.idempotency
        ? await this.runIdempotent(spec.idempotency, IdempotentRequest.for(this.db, spec.idempotency, idempotencyKey!, body, actorOf(principal)), (idempotency) =>
            spec.handler({ ...ctx, idempotency }),
          )
        : await spec.handler(ctx);
      const sent = result.status >= 400 ? result.body : this.checkedBody(spec, result);
      res.status(result.status).set(result.headers ?? {});
      if (sent instanceof Readable) {
        // Streamed: a failure midway cannot become a problem+json any more, so the connection is cut.
        res.type(result.contentType ?? 'application/octet-stream');
        await pipeline(sent, res).catch((err: unknown) => {
          res.destroy(err instanceof Error ? err : new Error(String(err)));
        });
      } else if (Buffer.isBuffer(sent)) res.type(result.contentType ?? 'application/octet-stream').send(sent);
      else if (result.status >= 400) res.type('application/problem+json').send(JSON.stringify(sent));
      else res.json(sent);
    });
  }

  /**
   * The contract of /openapi.json, enforced on every answer: the status is declared, a JSON body
   * is parsed through its schema (unlisted fields are dropped), a Buffer has the declared type.
   */
  private checkedBody<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, H extends AnyObject>(spec: RouteSpec<P, Q, B, H>, result: RouteResult): unknown {
    const where = `${spec.method.toUpperCase()} ${spec.path} answered ${result.status}`;
    const declared = spec.responses[result.status];
    if (!declared) throw new ResponseContractError(`${where}, a status it does not declare`);
    if (Buffer.isBuffer(result.body) || result.body instanceof Readable) {
      if (!declared.contentType || !(result.contentType ?? '').startsWith(declared.contentType)) {
        throw new ResponseContractError(`${where} with ${result.contentType ?? 'no content type'}, not the declared ${declared.contentType ?? 'JSON'}`);
      }
      return result.body;
    }
    if (!declared.schema) throw new ResponseContractError(`${where} with JSON, but declares ${declared.contentType ?? 'no body'}`);
    const parsed = declared.schema.safeParse(result.body);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
      throw new ResponseContractError(`${where} with a body outside its schema: ${issues.join('; ')}`);
    }
    return parsed.data;
  }

  /** Declares a path served outside the table (a plain Express route), for 405 answers. */
  allowMethod(path: string, method: string): void {
    const set = this.methods.get(path) ?? new Set<string>();
    set.add(method.toUpperCase());
    this.methods.set(path, set);
  }

  /**
   * The methods a request path has, or undefined when no route has that path (then it is a 404).
   * GET implies HEAD, as Express answers it.
   */
  allowedMethods(requestPath: string): string[] | undefined {
    const segments = requestPath.split('/');
    const found = new Set<string>();
    for (const [pattern, methods] of this.methods) {
      const parts = pattern.split('/');
      if (parts.length !== segments.length) continue;
      if (!parts.every((p, i) => (p.startsWith(':') ? segments[i] !== '' : p === segments[i]))) continue;
      for (const m of methods) found.add(m);
    }
    if (found.size === 0) return undefined;
    if (found.has('GET')) found.add('HEAD');
    return [...found].sort();
  }

  /** A first request runs the handler; a repeat replays (or finishes) the first one. */
  private async runIdempotent<B>(spec: IdempotencySpec<B>, request: IdempotentRequest, run: (r: IdempotentRequest) => Promise<RouteResult>): Promise<RouteResult> {
    const previous = await request.find();
    if (previous) return request.replay(spec, previous);
    let result: RouteResult;
    try {
      result = await run(request);
    } catch (err) {
      // Two requests with one key raced: the loser's claim failed, it replays the winner's.
      const winner = await request.find();
      if (winner) return request.replay(spec, winner);
      throw err;
    }
    await request.complete(spec, result);
    return result;
  }

  /** Express could not percent-decode a path parameter: name the parameters at fault. */
  undecodableParams(rawPath: string): FieldError[] {
    const segments = rawPath.split('/');
    for (const pattern of this.paths) {
      const parts = pattern.split('/');
      if (parts.length !== segments.length || !parts.every((p, i) => p.startsWith(':') || p === segments[i])) continue;
      const errors = parts.flatMap((p, i) => (p.startsWith(':') && !decodes(segments[i]) ? [{ field: `params.${p.slice(1)}`, message: 'invalid percent-encoding' }] : []));
      if (errors.length > 0) return errors;
    }
    return [{ field: 'params', message: 'invalid percent-encoding' }];
  }

  private document<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, H extends AnyObject>(spec: RouteSpec<P, Q, B, H>): void {
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      if (r.schema) responses[status] = { description: r.description, content: { 'application/json': { schema: r.schema } } };
      else if (r.contentType) responses[status] = { description: r.description, content: { [r.contentType]: { schema: { type: 'string', format: 'binary' } } } };
      else responses[status] = { description: r.description };
    }
    responses.default = { description: 'Error', content: { 'application/problem+json': { schema: problemSchema } } };
    const route: RouteConfig = {
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      tags: [spec.tag],
      security: spec.allow({ kind: 'anonymous' }) ? [] : [{ bearer: [] }],
      request: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.headers || spec.idempotency ? { headers: spec.headers && spec.idempotency ? spec.headers.extend(idempotencyHeader.shape) : (spec.headers ?? idempotencyHeader) } : {}),
        // Required only where the server requires it: a body that may be empty may be left out.
        ...(spec.body ? { body: { content: Object.fromEntries((spec.bodyContentTypes ?? ['application/json']).map((t) => [t, { schema: spec.body! }])), required: !spec.body.safeParse({}).success } } : {}),
      },
      responses,
    };
    this.registry.registerPath(route);
  }
}
