// Issue 9: errors no retry can fix fail the activity at once; infrastructure errors are retried.
// The classifier alone (a fake activity context and `next`), then the real worker of
// createWorker, with the real activities, running a test-only workflow of its own bundle.
import path from 'node:path';
import type { Context as ActivityContext } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { Prisma } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { invalid, notFound } from '../activities/errors';
import { createSmtpMailer, type Mailer } from '../infra/mailer';
import {
  activityErrorClassifier,
  attemptAlertThreshold,
  ATTEMPT_EXCEEDED_METRIC,
  classifyActivityError,
  FAILURES_METRIC,
} from '../worker/activity-error-classifier';
import { createWorker } from '../worker/create-worker';
import { devServerEnv } from './support/environments';
import { freePort } from './support/ports';
import { testDataConverter } from './support/payload-keys';
import { startTestSystem, type TestSystem } from './support/system';
import type { ActivityOutcome } from './support/classifier-workflows';

const prismaError = (code: string) => new Prisma.PrismaClientKnownRequestError(`prisma ${code}`, { code, clientVersion: Prisma.prismaVersion.client });
const coded = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);
const zodError = (): unknown => {
  try {
    z.object({ id: z.string() }).parse({ id: 1 });
  } catch (err) {
    return err;
  }
  throw new Error('zod accepted a number');
};

/** A fake activity context: its logger and metric meter record what the interceptor does. */
function fakeContext(attempt: number, aborted = false) {
  const counters: { name: string; value: number; tags?: Record<string, unknown> }[] = [];
  const warn = vi.fn();
  const controller = new AbortController();
  if (aborted) controller.abort();
  const ctx = {
    info: { attempt, activityType: 'deliverEmail' },
    log: { warn, info: vi.fn(), error: vi.fn(), debug: vi.fn(), trace: vi.fn(), log: vi.fn() },
    metricMeter: { createCounter: (name: string) => ({ add: (value: number, tags?: Record<string, unknown>) => counters.push({ name, value, tags }) }) },
    cancellationSignal: controller.signal,
  } as unknown as ActivityContext;
  return { ctx, counters, warn };
}

async function runThrough(err: unknown, attempt = 1, opts: { aborted?: boolean; attemptAlert?: number } = {}) {
  const fake = fakeContext(attempt, opts.aborted);
  const { inbound } = activityErrorClassifier({ attemptAlert: opts.attemptAlert ?? 5 })(fake.ctx);
  const thrown = await inbound!.execute!({ args: [], headers: {} }, () => Promise.reject(err)).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { thrown, ...fake };
}

describe('issue 9: the classification table', () => {
  it.each(([
    ['Prisma P2025 (record not found)', prismaError('P2025'), 'non_retryable', 'P2025'],
    ['Prisma P2000 (value too long)', prismaError('P2000'), 'non_retryable', 'P2000'],
    ['PrismaClientValidationError', new Prisma.PrismaClientValidationError('Unknown argument `x`', { clientVersion: Prisma.prismaVersion.client }), 'non_retryable', 'PrismaClientValidationError'],
    ['a zod error', zodError(), 'non_retryable', 'ZodError'],
    ['TypeError', new TypeError("Cannot read properties of undefined (reading 'id')"), 'non_retryable', 'TypeError'],
    ['ReferenceError', new ReferenceError('x is not defined'), 'non_retryable', 'ReferenceError'],
    ['SyntaxError (JSON.parse)', new SyntaxError('Unexpected token'), 'non_retryable', 'SyntaxError'],
    ['RangeError (domain/calendar)', new RangeError('unknown time zone: "Mars/Base"'), 'non_retryable', 'RangeError'],
    ['"no order line ..."', new Error('no order line l_1'), 'non_retryable', 'NotFound'],
    ['"no such ..."', new Error('no such e-mail e_1'), 'non_retryable', 'NotFound'],
    ['"... has no capture to refund"', new Error('payment p_1 has no capture to refund'), 'non_retryable', 'NotFound'],
    ['Prisma P2002 (unique race)', prismaError('P2002'), 'transient', 'P2002'],
    ['Prisma P2034 (serialization)', prismaError('P2034'), 'transient', 'P2034'],
    ['Prisma P1001 (unreachable)', prismaError('P1001'), 'transient', 'P1001'],
    ['Prisma P1017 (connection closed)', prismaError('P1017'), 'transient', 'P1017'],
    ['ECONNREFUSED', coded('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }), 'transient', 'ECONNREFUSED'],
    ['ECONNRESET', coded('read ECONNRESET', { code: 'ECONNRESET' }), 'transient', 'ECONNRESET'],
    ['a TypeError caused by a refused connection (fetch failed)', new TypeError('fetch failed', { cause: coded('connect ECONNREFUSED', { code: 'ECONNREFUSED' }) }), 'transient', 'ECONNREFUSED'],
    ['PostgreSQL serialization failure (40001)', coded('could not serialize access', { code: '40001' }), 'transient', 'SQLSTATE 40001'],
    ['SMTP 421 (transient reply)', coded('421 try again later', { code: 'EENVELOPE', responseCode: 421 }), 'transient', 'SMTP 421'],
    ['the sandbox gateway\'s lost reply', new Error('sandbox: connection reset after capture (simulated)'), 'transient', 'Error'],
    ['SMTP 550 (left to retries: an operator may fix the address)', coded('550 mailbox unavailable', { code: 'EENVELOPE', responseCode: 550 }), 'unknown', 'Error'],
    ['a plain Error of unknown meaning', new Error('something odd'), 'unknown', 'Error'],
  ] as [string, unknown, string, string][]).map(([what, err, kind, type]) => ({ what, err, kind, type })))('issue 9: $what: $kind, type $type', ({ err, kind, type }) => {
    const cls = classifyActivityError(err);
    expect(cls.kind).toBe(kind);
    expect(cls.type).toBe(type);
  });

  it('issue 9: an ApplicationFailure thrown by the activity is left alone, retryable or not', () => {
    expect(classifyActivityError(ApplicationFailure.retryable('decided meanwhile', 'LineDecidedMeanwhile'))).toEqual({ kind: 'classified', type: 'LineDecidedMeanwhile', nonRetryable: false });
    expect(classifyActivityError(ApplicationFailure.nonRetryable('gone', 'NotFound'))).toEqual({ kind: 'classified', type: 'NotFound', nonRetryable: true });
  });

  it('issue 9: notFound() and invalid() of activities/errors.ts throw non-retryable NotFound and InvalidArgument failures', () => {
    for (const [fn, type] of [[notFound, 'NotFound'], [invalid, 'InvalidArgument']] as const) {
      try {
        fn('the message');
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ApplicationFailure);
        expect(err).toMatchObject({ message: 'the message', type, nonRetryable: true });
      }
    }
  });

  it('issue 9: ACTIVITY_ATTEMPT_ALERT defaults to 5 and must be a positive integer', () => {
    expect(attemptAlertThreshold({})).toBe(5);
    expect(attemptAlertThreshold({ ACTIVITY_ATTEMPT_ALERT: '3' })).toBe(3);
    expect(() => attemptAlertThreshold({ ACTIVITY_ATTEMPT_ALERT: '0' })).toThrow(/ACTIVITY_ATTEMPT_ALERT/);
    expect(() => attemptAlertThreshold({ ACTIVITY_ATTEMPT_ALERT: 'five' })).toThrow(/ACTIVITY_ATTEMPT_ALERT/);
  });
});

describe('issue 9: the interceptor', () => {
  it('issue 9: a not-found error becomes a non-retryable ApplicationFailure (message, type, cause kept), logged and counted with its attempt', async () => {
    const original = prismaError('P2025');
    const { thrown, warn, counters } = await runThrough(original, 2);
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ message: original.message, type: 'P2025', nonRetryable: true });
    // The original as the cause, an ApplicationFailure named after its class (what a workflow sees).
    expect((thrown as ApplicationFailure).cause).toMatchObject({ type: 'PrismaClientKnownRequestError', message: original.message, stack: original.stack });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe('Activity attempt 2 failed: non_retryable');
    expect(warn.mock.calls[0][1]).toMatchObject({ attempt: 2, classification: 'non_retryable', errorType: 'P2025' });
    expect(counters).toEqual([{ name: FAILURES_METRIC, value: 1, tags: { classification: 'non_retryable', errorType: 'P2025' } }]);
  });

  it('issue 9: a connection error is rethrown unchanged (retried), logged as transient', async () => {
    const original = coded('connect ECONNREFUSED 127.0.0.1:2525', { code: 'ECONNREFUSED' });
    const { thrown, warn, counters } = await runThrough(original, 1);
    expect(thrown).toBe(original);
    expect(warn.mock.calls[0][1]).toMatchObject({ attempt: 1, classification: 'transient', errorType: 'ECONNREFUSED' });
    expect(counters).toEqual([{ name: FAILURES_METRIC, value: 1, tags: { classification: 'transient', errorType: 'ECONNREFUSED' } }]);
  });

  it('issue 9: an ApplicationFailure is rethrown as is; one thrown non-retryable by the activity counts as non_retryable', async () => {
    const failure = ApplicationFailure.nonRetryable('gone', 'NotFound');
    const { thrown, counters } = await runThrough(failure);
    expect(thrown).toBe(failure);
    expect(counters[0].tags).toEqual({ classification: 'non_retryable', errorType: 'NotFound' });
    const retryable = ApplicationFailure.retryable('later', 'SubscriptionStarting');
    const second = await runThrough(retryable);
    expect(second.thrown).toBe(retryable);
    expect(second.counters[0].tags).toEqual({ classification: 'retryable', errorType: 'SubscriptionStarting' });
  });

  it('issue 9: a cancellation passes through untouched: not logged, not counted', async () => {
    const cancelled = new CancelledFailure('cancelled');
    const { thrown, warn, counters } = await runThrough(cancelled, 1, { aborted: true });
    expect(thrown).toBe(cancelled);
    expect(warn).not.toHaveBeenCalled();
    expect(counters).toEqual([]);
  });

  it(`issue 9: an attempt past ACTIVITY_ATTEMPT_ALERT is counted in ${ATTEMPT_EXCEEDED_METRIC} when it begins, even if it succeeds`, async () => {
    for (const [attempt, expected] of [[3, 0], [4, 1]] as const) {
      const fake = fakeContext(attempt);
      const { inbound } = activityErrorClassifier({ attemptAlert: 3 })(fake.ctx);
      await expect(inbound!.execute!({ args: [], headers: {} }, async () => 'done')).resolves.toBe('done');
      expect(fake.counters.filter((c) => c.name === ATTEMPT_EXCEEDED_METRIC)).toHaveLength(expected);
    }
  });
});

describe('issue 9: on the real worker (createWorker)', () => {
  let env: TestWorkflowEnvironment;
  let sys: TestSystem;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let smtpFailure: unknown;
  let taskQueue: string;
  /** What the worker's mailer does: fails the first `failures` sends with `smtpFailure`. */
  const mailer = { failures: 0, sends: 0, error: undefined as unknown };

  beforeAll(async () => {
    env = await devServerEnv();
    sys = await startTestSystem({ client: env.client, nativeConnection: env.nativeConnection, withWorker: false });
    // A real refused SMTP connection, as nodemailer reports it.
    const closed = createSmtpMailer(`smtp://127.0.0.1:${await freePort()}`);
    smtpFailure = await closed.send({ messageId: '<probe@test>', from: 'a@test', to: 'b@test', subject: 's', text: 't' }).then(() => undefined, (e: unknown) => e);
    closed.close();
    const flaky: Mailer = {
      async send(mail) {
        mailer.sends++;
        if (mailer.sends <= mailer.failures) throw mailer.error;
        return sys.activityDeps.mailer.send(mail);
      },
      close() {},
    };
    taskQueue = `${sys.taskQueue}-classifier`;
    worker = await createWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: { ...sys.activityDeps, mailer: flaky },
      dataConverter: testDataConverter(), // the test keys, as the environment's client
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: path.resolve(__dirname, 'support', 'classifier-workflows.ts'),
        logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never,
      }),
    });
    running = worker.run();
  });

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await sys?.stop();
    await env?.teardown();
  });

  async function deliver(emailId: string): Promise<{ outcome: ActivityOutcome; lastAttempt: number | undefined }> {
    const workflowId = `classifier-${emailId}`;
    const outcome = await env.client.workflow.execute<(id: string) => Promise<ActivityOutcome>>('deliverEmailOnce', { taskQueue, workflowId, args: [emailId] });
    // The history keeps one ActivityTaskStarted: the last attempt's, with its number.
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const started = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    return { outcome, lastAttempt: started.at(-1)?.activityTaskStartedEventAttributes?.attempt ?? undefined };
  }

  async function queuedEmail(): Promise<string> {
    const id = `classifier:${Math.random().toString(36).slice(2, 10)}`;
    await sys.db.email.create({ data: { id, toAddress: 'someone@example.test', subject: 'classifier test', text: 'hello', status: 'queued', messageId: `<${id.replace(':', '.')}@test>` } });
    return id;
  }

  it('issue 9: a not-found error (Prisma P2025 of deliverEmail\'s findUniqueOrThrow) fails the activity after attempt 1, non-retryable', async () => {
    const { outcome, lastAttempt } = await deliver(`missing-${Math.random().toString(36).slice(2, 8)}`);
    expect(outcome).toMatchObject({ ok: false, retryState: 'NON_RETRYABLE_FAILURE', type: 'P2025', nonRetryable: true, causeType: 'PrismaClientKnownRequestError' });
    expect(lastAttempt).toBe(1);
  });

  it('issue 9: a connection error (SMTP connection refused) is retried: the e-mail goes out at attempt 3', async () => {
    expect(classifyActivityError(smtpFailure).kind).toBe('transient');
    Object.assign(mailer, { failures: 2, sends: 0, error: smtpFailure });
    const id = await queuedEmail();
    const { outcome, lastAttempt } = await deliver(id);
    expect(outcome).toEqual({ ok: true });
    expect(lastAttempt).toBe(3);
    expect(await sys.db.email.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('issue 9: an error of unknown meaning stays retryable: the attempts run out (maximumAttempts 4 in the test workflow)', async () => {
    Object.assign(mailer, { failures: 100, sends: 0, error: new Error('something odd') });
    const { outcome, lastAttempt } = await deliver(await queuedEmail());
    expect(outcome).toMatchObject({ ok: false, retryState: 'MAXIMUM_ATTEMPTS_REACHED', type: 'Error', nonRetryable: false });
    expect(lastAttempt).toBe(4);
  });
});
