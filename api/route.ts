// One declaration per route: who may call it, the zod schemas of its input, its responses. The
// same declaration validates requests, checks the principal and feeds /openapi.json.
import type { Request, Response, Router } from 'express';
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
  /** JSON, or a Buffer sent as it is with `contentType` (e.g. a PDF). */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
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
  headers?: H;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
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

export class RouteTable {
  private readonly paths: string[] = [];

  constructor(
    private readonly router: Router,
    private readonly registry: OpenAPIRegistry,
    private readonly db: Db,
  ) {}

  add<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, H extends AnyObject>(spec: RouteSpec<P, Q, B, H>): void {
    this.document(spec);
    this.paths.push(spec.path);
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
      const query = parse(spec.query, req.query, 'query', errors);
      const headers = parse(spec.headers, req.headers, 'headers', errors);
      const idempotencyKey = spec.idempotency ? parse(idempotencyHeader, req.headers, 'headers', errors)?.['idempotency-key'] : undefined;
      const body = parse(spec.body, req.body ?? {}, 'body', errors);
      if (errors.length > 0) throw Problem.badRequest(errors);
      const ctx = { principal, params, query, body, headers, req };
      const result = spec.idempotency
        ? await this.runIdempotent(spec.idempotency, IdempotentRequest.for(this.db, spec.idempotency, idempotencyKey!, body, actorOf(principal)), (idempotency) =>
            spec.handler({ ...ctx, idempotency }),
          )
        : await spec.handler(ctx);
      res.status(result.status).set(result.headers ?? {});
      if (Buffer.isBuffer(result.body)) res.type(result.contentType ?? 'application/octet-stream').send(result.body);
      else if (result.status >= 400) res.type('application/problem+json').send(JSON.stringify(result.body));
      else res.json(result.body);
    });
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
      responses[status] = r.schema ? { description: r.description, content: { 'application/json': { schema: r.schema } } } : { description: r.description };
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
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
      },
      responses,
    };
    this.registry.registerPath(route);
  }
}
