// SUB-10: the API checks the e-mailed confirmation code against its hash (X-7: the code never
// reaches a workflow), counting wrong tries; the Subscription workflow is told only that request n
// was confirmed. After MAX_CODE_ATTEMPTS wrong codes the request stops working: ask for a new code.
import { deletionCodeHash } from '../activities/subscriptions';
import { sameSecret } from '../infra/hmac';
import type { ApiDeps } from './deps';
import { Problem } from './problem';

export const MAX_CODE_ATTEMPTS = 5;

const refused = (reason: string, detail: string) => Problem.unprocessable('command-refused', 'Command refused', detail, { reason, errors: [{ field: 'body.code', message: detail }] });

/** Marks the latest deletion request of the subscription confirmed if `code` is its code; returns n. */
export async function confirmDeletionCode(deps: ApiDeps, subscriptionId: string, code: string): Promise<number> {
  const request = await deps.db.deletionCode.findFirst({ where: { subscriptionId }, orderBy: { createdAt: 'desc' } });
  if (!request) throw Problem.conflict('no deletion was requested', { reason: 'NoDeletionRequested' });
  const n = Number(request.id.split(':').at(-1));
  if (request.status === 'confirmed') return n; // a repeat of a confirmation that went through
  if (request.status === 'exhausted') throw refused('TooManyAttempts', `${MAX_CODE_ATTEMPTS} wrong codes: this code no longer works, request a new one`);
  if (request.status !== 'pending' || request.expiresAt.getTime() <= Date.now()) throw refused('CodeExpired', 'the confirmation code has expired: request a new one');
  // The try is counted before the comparison (one statement): N guesses sent at once are N tries.
  const [reserved] = await deps.db.$queryRaw<{ attempts: number; codeHash: string }[]>`
    UPDATE "DeletionCode" SET "attempts" = "attempts" + 1
    WHERE "id" = ${request.id} AND "status" = 'pending' AND "attempts" < ${MAX_CODE_ATTEMPTS}
      AND "expiresAt" > CURRENT_TIMESTAMP AT TIME ZONE 'UTC'
    RETURNING "attempts", "codeHash"`;
  if (!reserved) throw refused('TooManyAttempts', `${MAX_CODE_ATTEMPTS} wrong codes: this code no longer works, request a new one`);
  if (!sameSecret(deletionCodeHash(subscriptionId, code), reserved.codeHash)) {
    const left = MAX_CODE_ATTEMPTS - reserved.attempts;
    if (left <= 0) await deps.db.deletionCode.updateMany({ where: { id: request.id, status: 'pending' }, data: { status: 'exhausted' } });
    throw refused('WrongCode', left > 0 ? `wrong confirmation code (${left} tries left)` : `wrong confirmation code: ${MAX_CODE_ATTEMPTS} wrong codes, request a new one`);
  }
  const confirmed = await deps.db.deletionCode.updateMany({ where: { id: request.id, status: 'pending' }, data: { status: 'confirmed', confirmedAt: new Date() } });
  if (confirmed.count === 0) throw refused('CodeExpired', 'this code no longer works: request a new one');
  return n;
}
