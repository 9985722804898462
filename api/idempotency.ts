// Idempotent routes (ORD-4, X-3): a route declares `idempotency` and the RouteTable requires the
// Idempotency-Key header, replays the first answer to a repeat, refuses the key reused for another
// request, and lets a repeat finish a first attempt that stopped before answering. Records expire
// (IDEMPOTENCY_TTL_HOURS, 24 by default, like payment gateways' keys) and never hold a secret: the
// fingerprint is an HMAC of the fields that define the request (card data excluded by the route),
// and secret fields of an answer are left out of the record and rebuilt on a replay.
import type { Prisma } from '@prisma/client';
import type { Db } from '../infra/db';
import { keyedHash } from '../infra/hmac';
import { Problem } from './problem';
import type { RouteResult } from './route';

export interface IdempotencySpec<B> {
  /** Names the operation in the record key, e.g. `checkout`. */
  scope: string;
  /** Whose key it is (keys are unique per caller, as at a gateway), from the request. */
  caller: (body: B, actor: string) => string;
  /** The parts of the request that make it "the same request": never card data. */
  fingerprint: (body: B) => unknown;
  /** Finishes a first attempt that recorded its resource but stopped before answering. */
  resume: (resourceId: string) => Promise<RouteResult>;
  /** Answer fields holding secrets: left out of the record, put back by `restore` on a replay. */
  secretFields?: string[];
  restore?: (body: Record<string, unknown>, resourceId: string | null) => Promise<Record<string, unknown>>;
}

export function idempotencyTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.IDEMPOTENCY_TTL_HOURS ?? 24) * 3_600_000;
}

interface StoredRecord {
  key: string;
  fingerprint: string;
  resourceId: string | null;
  statusCode: number | null;
  body: string | null;
  expiresAt: Date;
}

/** One request under an Idempotency-Key, as the handler sees it. */
export class IdempotentRequest {
  constructor(
    private readonly db: Db,
    readonly key: string,
    readonly fingerprint: string,
    private readonly ttlMs: number,
  ) {}

  static for<B>(db: Db, spec: IdempotencySpec<B>, header: string, body: B, actor: string): IdempotentRequest {
    const fingerprint = keyedHash(`idempotency:${spec.scope}`, canonicalJson(spec.fingerprint(body)));
    return new IdempotentRequest(db, `${spec.scope}:${spec.caller(body, actor)}:${header}`, fingerprint, idempotencyTtlMs());
  }

  /** Records the resource this request creates, in the transaction that creates it. */
  async claim(tx: Prisma.TransactionClient, resourceId: string): Promise<void> {
    await tx.idempotencyRecord.create({
      data: { key: this.key, fingerprint: this.fingerprint, resourceId, expiresAt: new Date(Date.now() + this.ttlMs) },
    });
  }

  async find(): Promise<StoredRecord | null> {
    const found = await this.db.idempotencyRecord.findUnique({ where: { key: this.key } });
    if (found && found.expiresAt.getTime() <= Date.now()) {
      // Expired: forgotten, and the key is new again.
      await this.db.idempotencyRecord.deleteMany({ where: { key: this.key, expiresAt: { lte: new Date() } } });
      return null;
    }
    return found;
  }

  async replay<B>(spec: IdempotencySpec<B>, previous: StoredRecord): Promise<RouteResult> {
    if (previous.fingerprint !== this.fingerprint) {
      throw Problem.unprocessable('idempotency-key-reused', 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request', {
        errors: [{ field: 'headers.idempotency-key', message: 'already used for a different request' }],
      });
    }
    if (previous.statusCode !== null && previous.body !== null) {
      const body = JSON.parse(previous.body) as Record<string, unknown>;
      return { status: previous.statusCode, body: spec.restore ? await spec.restore(body, previous.resourceId) : body };
    }
    if (!previous.resourceId) throw Problem.conflict('the first request with this Idempotency-Key is still being processed: retry in a moment');
    const result = await spec.resume(previous.resourceId);
    await this.complete(spec, result);
    return result;
  }

  /** Stores the answer (its secret fields left out) for the repeats to come. */
  async complete<B>(spec: IdempotencySpec<B>, result: RouteResult): Promise<void> {
    if (Buffer.isBuffer(result.body)) return;
    const body = { ...(result.body as Record<string, unknown>) };
    for (const field of spec.secretFields ?? []) delete body[field];
    await this.db.idempotencyRecord.updateMany({ where: { key: this.key }, data: { statusCode: result.status, body: JSON.stringify(body) } });
    // Now and then, expired records of every key go (a table that only grows holds nothing useful).
    if (Math.random() < 0.01) await this.db.idempotencyRecord.deleteMany({ where: { expiresAt: { lte: new Date() } } });
  }
}

/** JSON with object keys sorted, so that two equal requests fingerprint alike whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
