// ACC-3: a customer closes its account. The request is refused while anything is in the way,
// naming each obstacle; otherwise a one-time code is e-mailed to the account's address (the proof
// of control of it, X-8, as a sign-in is: there are no passwords). The confirmation checks the code
// here (hashed in ConfirmationCode, X-7: it never reaches a workflow) and starts
// AccountClosure:<customerId>, which closes, erases and ends the partnerships (ids only in it).
import { randomInt, randomUUID } from 'node:crypto';
import { findClosureObstacles } from '../../activities/account-closure';
import { HIDDEN } from '../../activities/email-templates';
import { recordEmail } from '../../activities/emails';
import type { ClosureObstacle } from '../../domain/account-closure';
import { formatDateTime } from '../../domain/time-format';
import { keyedHash, sameSecret } from '../../infra/hmac';
import { accountClosureSummary, accountClosureWorkflow, accountClosureWorkflowId, type AccountClosureResult } from '../../workflows/account-closure';
import { BusinessStatusKey, CustomerIdKey } from '../../workflows/search-attributes';
import { allow, forgetKeys, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { startEmailDelivery } from '../email-delivery';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

export const CLOSURE_PURPOSE = 'account-closure';
/** House rules (README "Account closure"): the code works 30 minutes, 5 tries, once. */
export const CLOSURE_CODE_MINUTES = 30;
export const MAX_CLOSURE_ATTEMPTS = 5;
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
/** How long the confirmation waits for the closure to be done before answering 202 (it goes on). */
const CLOSURE_WAIT_MS = 20_000;

function codeHash(confirmationId: string, code: string): string {
  return keyedHash(`account-closure:${confirmationId}`, code.trim().toUpperCase());
}

const obstacle = z.strictObject({
  kind: z.enum(['active_service', 'unpaid_invoice', 'order_in_progress']),
  ref: z.string().openapi({ description: 'The subscription or line id, ticket id, invoice number or order number in the way' }),
  detail: z.string(),
});

function refusal(obstacles: ClosureObstacle[]): Problem {
  return new Problem(409, 'closure-refused', 'Account closure refused', `the account cannot be closed yet (ACC-3): ${obstacles.map((o) => o.detail).join('; ')}`, {
    obstacles,
    errors: obstacles.map((o) => ({ field: `account.${o.kind}`, message: o.detail })),
  });
}

const codeRefused = (reason: string, detail: string) => Problem.unprocessable('closure-code-refused', 'Closure code refused', detail, { reason, errors: [{ field: 'body.code', message: detail }] });

const customerOf = (p: Principal) => (p.kind === 'customer' ? p.customerId : '');

export function registerAccountClosureRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { db } = deps;

  routes.add({
    method: 'post',
    path: '/account/closure',
    tag: 'account',
    summary: `Ask to close your account (ACC-3): refused naming each obstacle (an active service, an unpaid invoice, an order in progress); else a one-time code is e-mailed to the account's address, valid ${CLOSURE_CODE_MINUTES} minutes`,
    allow: allow.customer,
    body: z.strictObject({}),
    responses: {
      202: {
        description: 'The code is on its way; an earlier code stops working',
        schema: z.strictObject({ status: z.literal('code_sent'), expiresAt: z.string(), message: z.string() }),
      },
      409: { description: 'Refused: `obstacles` names each thing in the way' },
    },
    handler: async ({ principal }) => {
      const customerId = customerOf(principal);
      const obstacles = await findClosureObstacles(db, customerId);
      if (obstacles.length > 0) throw refusal(obstacles);
      const customer = await db.customer.findUniqueOrThrow({ where: { id: customerId } });
      const id = `acc3_${randomUUID().replace(/-/g, '')}`;
      const code = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
      const expiresAt = new Date(Date.now() + CLOSURE_CODE_MINUTES * 60_000);
      const emailId = `account-closure:${customerId}:${id}`;
      const body = (shown: string) =>
        [
          'You asked to close your marketplace account. Closing it erases your name, address, contacts and e-mails for good; invoices and credit notes are kept as the law requires.',
          `Closure code: ${shown}`,
          `Enter it to confirm (POST /account/closure/confirm) before ${formatDateTime(expiresAt.toISOString())}; after ${MAX_CLOSURE_ATTEMPTS} wrong tries it stops working. If you did not ask, ignore this e-mail: nothing changes.`,
        ].join('\n');
      await db.$transaction(async (tx) => {
        // Only the latest code works.
        await tx.confirmationCode.updateMany({ where: { purpose: CLOSURE_PURPOSE, subjectId: customerId, usedAt: null, expiresAt: { gt: new Date() } }, data: { expiresAt: new Date() } });
        await tx.confirmationCode.create({ data: { id, purpose: CLOSURE_PURPOSE, subjectId: customerId, actor: `customer:${customerId}`, codeHash: codeHash(id, code), expiresAt } });
        await recordEmail(tx, { id: emailId, customerId, toAddress: customer.email, subject: 'Your account closure code', text: body(code), maskedText: body(HIDDEN) });
      });
      try {
        await startEmailDelivery(deps, emailId, `ACC-3: account closure code for customer ${customerId}`);
      } catch (err) {
        // Nothing would send it: the code and its e-mail go, and the customer asks again (503).
        await db.$transaction([db.email.deleteMany({ where: { id: emailId, status: 'queued' } }), db.confirmationCode.deleteMany({ where: { id } })]);
        throw err;
      }
      return { status: 202, body: { status: 'code_sent', expiresAt: expiresAt.toISOString(), message: "a closure code was e-mailed to your account's address" } };
    },
  });

  routes.add({
    method: 'post',
    path: '/account/closure/confirm',
    tag: 'account',
    summary: `Confirm the closure with the e-mailed code (ACC-3): the account closes (its keys revoked at once), its open calls for tenders are withdrawn, its personal data is erased and its partnerships end; ${MAX_CLOSURE_ATTEMPTS} tries per code`,
    allow: allow.customer,
    body: z.strictObject({ code: z.string().trim().regex(/^[A-Za-z0-9]{8}$/, 'must be the 8-character code of the closure e-mail') }),
    responses: {
      200: {
        description: 'Closed and erased: the key used for this call no longer works',
        schema: z.strictObject({ status: z.literal('closed'), customerId: z.string(), workflowId: z.string(), partnershipsEnded: z.number().int(), tendersWithdrawn: z.number().int() }),
      },
      202: { description: 'Confirmed; the closure is still being carried out', schema: z.strictObject({ status: z.literal('closing'), customerId: z.string(), workflowId: z.string() }) },
      409: { description: 'No closure was asked for, or obstacles appeared since (named in `obstacles`)' },
      422: { description: 'Wrong, expired or exhausted code, naming body.code' },
    },
    handler: async ({ principal, body }) => {
      const customerId = customerOf(principal);
      const request = await db.confirmationCode.findFirst({ where: { purpose: CLOSURE_PURPOSE, subjectId: customerId, usedAt: null }, orderBy: { createdAt: 'desc' } });
      if (!request) throw Problem.conflict('no account closure was asked for: POST /account/closure first', { reason: 'NoClosureRequested' });
      // Checked before the code is spent: a refused closure keeps its code for after the obstacle.
      const obstacles = await findClosureObstacles(db, customerId);
      if (obstacles.length > 0) throw refusal(obstacles);
      // The try is counted before the comparison (one statement): N guesses at once are N tries.
      const [reserved] = await db.$queryRaw<{ attempts: number; codeHash: string }[]>`
        UPDATE "ConfirmationCode" SET "attempts" = "attempts" + 1
        WHERE "id" = ${request.id} AND "usedAt" IS NULL AND "attempts" < ${MAX_CLOSURE_ATTEMPTS} AND "expiresAt" > CURRENT_TIMESTAMP AT TIME ZONE 'UTC'
        RETURNING "attempts", "codeHash"`;
      if (!reserved) {
        throw request.attempts >= MAX_CLOSURE_ATTEMPTS
          ? codeRefused('TooManyAttempts', `${MAX_CLOSURE_ATTEMPTS} wrong codes: this code no longer works, ask for a new one`)
          : codeRefused('CodeExpired', 'the closure code has expired: ask for a new one');
      }
      if (!sameSecret(codeHash(request.id, body.code), reserved.codeHash)) {
        const left = MAX_CLOSURE_ATTEMPTS - reserved.attempts;
        throw codeRefused('WrongCode', left > 0 ? `wrong closure code (${left} tries left)` : `wrong closure code: ${MAX_CLOSURE_ATTEMPTS} wrong codes, ask for a new one`);
      }
      const used = await db.confirmationCode.updateMany({ where: { id: request.id, usedAt: null }, data: { usedAt: new Date() } });
      if (used.count === 0) throw codeRefused('CodeUsed', 'this code was just used: ask for a new one');

      const workflowId = accountClosureWorkflowId(customerId);
      const handle = await deps.temporal.workflow.start(accountClosureWorkflow, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ customerId, confirmationId: request.id, confirmedAt: new Date().toISOString() }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: accountClosureSummary(customerId),
        typedSearchAttributes: [
          { key: CustomerIdKey, value: customerId },
          { key: BusinessStatusKey, value: 'closing' },
        ],
      });
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), CLOSURE_WAIT_MS);
      let result: AccountClosureResult | undefined;
      try {
        result = await deps.temporal.withAbortSignal(stop.signal, () => handle.result());
      } catch (err) {
        if (!stop.signal.aborted) throw err;
      } finally {
        clearTimeout(timer);
      }
      // The keys were revoked by the closure: this process forgets them now (others within PRINCIPAL_TTL_MS).
      forgetKeys(db, (await db.apiKey.findMany({ where: { customerId, revokedAt: { not: null } }, select: { hash: true } })).map((k) => k.hash));
      if (!result) return { status: 202, body: { status: 'closing', customerId, workflowId } };
      if (result.status === 'refused') throw refusal(result.obstacles);
      return { status: 200, body: { status: 'closed', customerId, workflowId, partnershipsEnded: result.partnershipsEnded, tendersWithdrawn: result.tendersWithdrawn } };
    },
  });
}
