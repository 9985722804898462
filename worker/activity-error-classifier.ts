// Issue 9: every activity error is classified in one place, an activity inbound interceptor of
// the worker. An error no retry can fix (a missing record, invalid input, a programming error)
// becomes a non-retryable ApplicationFailure: the activity fails at its first attempt and the
// failure is visible in the workflow, instead of an attempt counter growing for ever (the retry
// policies of workflows/activity-options.ts have no maximum). Infrastructure errors stay
// retryable, as does anything not recognised. Each failed attempt is logged with its class and
// attempt number, counted in `marketplace_activity_failures`, and an attempt that begins past
// ACTIVITY_ATTEMPT_ALERT is counted in `marketplace_activity_attempt_exceeded` (README "Stuck
// work: error classification, metrics, alerts").
import { CompleteAsyncError, type Context as ActivityContext } from '@temporalio/activity';
import { ApplicationFailure, ensureApplicationFailure, TemporalFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export type ErrorClass =
  /** Converted here to a non-retryable ApplicationFailure of this type. */
  | { kind: 'non_retryable'; type: string; rule: string }
  /** A known infrastructure or concurrency error: retried. */
  | { kind: 'transient'; type: string; rule: string }
  /** An ApplicationFailure (or another Temporal failure) thrown by the activity: left alone. */
  | { kind: 'classified'; type: string; nonRetryable: boolean }
  /** Not recognised: retried (the SDK's default). */
  | { kind: 'unknown'; type: string };

/** Prisma request errors whose retry gets the same answer: the same input always fails. */
export const NON_RETRYABLE_PRISMA_CODES: Record<string, string> = {
  P2025: 'record not found (findUniqueOrThrow, update or delete of a missing row)',
  P2000: 'value too long for its column',
  P2006: 'invalid value for a field',
  P2007: 'data validation error',
  P2011: 'null constraint violation',
  P2012: 'a required value is missing',
};

/**
 * Prisma errors a retry resolves. P2002 (unique constraint) is here on purpose: the activities
 * are idempotent upserts keyed by business ids, and a P2002 is two attempts racing to insert the
 * same row (infra/db.ts `retryOnConflict` retries it too); the retry finds the row and succeeds.
 */
export const TRANSIENT_PRISMA_CODES: Record<string, string> = {
  P1001: 'database server unreachable',
  P1002: 'database server timed out',
  P1008: 'operation timed out',
  P1017: 'database server closed the connection',
  P2024: 'timed out waiting for a pooled connection',
  P2034: 'write conflict or deadlock (serialization failure)',
  P2002: 'unique constraint: a concurrent insert of the same row, the retry finds it',
};

/** Socket, DNS and client-library codes of a network failure (Node, undici, nodemailer). */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  'ECONNECTION', 'ESOCKET', 'EDNS', // nodemailer
]);

/** PostgreSQL SQLSTATEs (pg errors): serialization, deadlock, shutdown, too many connections. */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300']);

/** A plain Error with such a message is a network failure described in words. */
const TRANSIENT_MESSAGE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|connection (?:reset|refused|terminated|closed)|socket hang up|timed? ?out/i;

/** JavaScript errors of a programming mistake or of impossible input: the same code fails again. */
const PROGRAMMING_ERRORS = new Set(['TypeError', 'ReferenceError', 'SyntaxError', 'RangeError']);

/**
 * The messages of the plain Errors the activities throw when a record is missing (activities/*.ts;
 * new code throws `notFound(...)` of activities/errors.ts instead).
 */
export const NOT_FOUND_MESSAGES: RegExp[] = [
  /^no order line /, // emails.ts (line view), orders.ts (line update)
  /^no such /,
  /: its order, seller or customer is missing$/, // emails.ts (invoice e-mail)
  /has no capture to refund$/, // payments.ts, subscriptions.ts (refund of an uncaptured payment)
];

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function asObject(err: unknown): ErrorLike | undefined {
  return typeof err === 'object' && err !== null ? (err as ErrorLike) : undefined;
}

function nameOf(err: unknown): string {
  const e = asObject(err);
  return typeof e?.name === 'string' && e.name ? e.name : typeof err;
}

/** Why `err`, or an error in its cause chain (or an AggregateError's errors), is transient. */
function transientRule(err: unknown, depth = 0): { type: string; rule: string } | undefined {
  const e = asObject(err);
  if (!e || depth > 5) return undefined;
  const name = nameOf(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (name === 'PrismaClientKnownRequestError' && code && TRANSIENT_PRISMA_CODES[code]) return { type: code, rule: TRANSIENT_PRISMA_CODES[code] };
  if (name === 'PrismaClientInitializationError') return { type: name, rule: 'database unreachable at connection' };
  if (code && TRANSIENT_CODES.has(code)) return { type: code, rule: 'network failure' };
  if (code && (TRANSIENT_SQLSTATES.has(code) || /^08...$/.test(code))) return { type: `SQLSTATE ${code}`, rule: 'PostgreSQL connection, serialization or shutdown' };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 500) return { type: `SMTP ${e.responseCode}`, rule: 'SMTP transient reply (4xx)' };
  if ((name === 'Error' || name === 'AggregateError') && typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message)) return { type: name, rule: 'network failure (by its message)' };
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = transientRule(inner, depth + 1);
      if (found) return found;
    }
  }
  return transientRule(e.cause, depth + 1);
}

/** The class of an error thrown by an activity: what the interceptor does with it. */
export function classifyActivityError(err: unknown): ErrorClass {
  if (err instanceof ApplicationFailure) return { kind: 'classified', type: err.type ?? 'ApplicationFailure', nonRetryable: err.nonRetryable === true };
  if (err instanceof TemporalFailure) return { kind: 'classified', type: nameOf(err), nonRetryable: false };
  // Infrastructure first, through the causes: a TypeError "fetch failed" caused by ECONNREFUSED
  // is a network failure, not a programming error.
  const transient = transientRule(err);
  if (transient) return { kind: 'transient', ...transient };
  const e = asObject(err);
  const name = nameOf(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (name === 'PrismaClientKnownRequestError' && code && NON_RETRYABLE_PRISMA_CODES[code]) return { kind: 'non_retryable', type: code, rule: NON_RETRYABLE_PRISMA_CODES[code] };
  if (name === 'PrismaClientValidationError') return { kind: 'non_retryable', type: name, rule: 'invalid Prisma query (a programming error)' };
  // The gateway port's refusals (key reused with other parameters, over-refund, …): the same
  // request is refused again, so a retry only hides it (infra/payment-gateway.ts).
  if (name === 'GatewayError' && (e as { retryable?: unknown } | undefined)?.retryable === false) return { kind: 'non_retryable', type: typeof code === 'string' ? code : name, rule: 'refused by the payment gateway' };
  if (name === 'ZodError' || name === '$ZodError') return { kind: 'non_retryable', type: 'ZodError', rule: 'input fails its schema' };
  if (PROGRAMMING_ERRORS.has(name)) return { kind: 'non_retryable', type: name, rule: 'programming error or impossible input' };
  if (name === 'Error' && typeof e?.message === 'string' && NOT_FOUND_MESSAGES.some((re) => re.test(e.message as string))) {
    return { kind: 'non_retryable', type: 'NotFound', rule: 'record not found (by its message)' };
  }
  return { kind: 'unknown', type: name };
}

/**
 * What the interceptor throws: the error unchanged, or a non-retryable ApplicationFailure with
 * its message and stack, of type `cls.type`, caused by the original error as an ApplicationFailure
 * of its class name (a plain Error cause would reach the workflow without its name).
 */
export function failureFor(err: unknown, cls: ErrorClass): unknown {
  if (cls.kind !== 'non_retryable') return err;
  const cause = ensureApplicationFailure(err);
  const failure = ApplicationFailure.create({ message: cause.message, type: cls.type, nonRetryable: true, cause });
  if (cause.stack) failure.stack = cause.stack;
  return failure;
}

/** ACTIVITY_ATTEMPT_ALERT: an attempt numbered above it is counted as stuck work (default 5). */
export function attemptAlertThreshold(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ACTIVITY_ATTEMPT_ALERT?.trim();
  if (!raw) return 5;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`ACTIVITY_ATTEMPT_ALERT must be an integer >= 1, got ${JSON.stringify(raw)}`);
  return n;
}

export const ATTEMPT_EXCEEDED_METRIC = 'marketplace_activity_attempt_exceeded';
export const FAILURES_METRIC = 'marketplace_activity_failures';

/**
 * The interceptor, for `Worker.create({ interceptors: { activity: [activityErrorClassifier()] } })`.
 * The metrics go to the activity's metric meter (tags `namespace`, `taskQueue`, `activityType`
 * from the SDK): a no-op unless the Runtime exports metrics (worker/metrics.ts).
 */
export function activityErrorClassifier(opts: { attemptAlert?: number } = {}): ActivityInterceptorsFactory {
  const attemptAlert = opts.attemptAlert ?? attemptAlertThreshold();
  return (ctx: ActivityContext) => ({
    inbound: {
      async execute(input, next) {
        const { attempt } = ctx.info;
        // Counted when the attempt begins: an attempt lost with a crashed worker or to its
        // start-to-close timeout never reaches the catch below, yet its successor is counted.
        if (attempt > attemptAlert) {
          ctx.metricMeter.createCounter(ATTEMPT_EXCEEDED_METRIC, '', `Activity attempts begun past ACTIVITY_ATTEMPT_ALERT (${attemptAlert})`).add(1);
        }
        try {
          return await next(input);
        } catch (err) {
          // Not failures: a cancellation (the workflow's request, a pause or a reset) and an
          // asynchronous completion pass through untouched.
          if (err instanceof CompleteAsyncError || ctx.cancellationSignal.aborted) throw err;
          const cls = classifyActivityError(err);
          const nonRetryable = cls.kind === 'non_retryable' || (cls.kind === 'classified' && cls.nonRetryable);
          const classification = nonRetryable ? 'non_retryable' : cls.kind === 'transient' ? 'transient' : 'retryable';
          ctx.log.warn(`Activity attempt ${attempt} failed: ${classification}`, {
            attempt,
            classification,
            errorClass: cls.kind,
            errorType: cls.type,
            ...('rule' in cls ? { rule: cls.rule } : {}),
            error: asObject(err)?.message ?? String(err),
          });
          ctx.metricMeter
            .createCounter(FAILURES_METRIC, '', 'Failed activity attempts by classification (non_retryable, transient, retryable) and error type')
            .add(1, { classification, errorType: cls.type });
          throw failureFor(err, cls);
        }
      },
    },
  });
}
