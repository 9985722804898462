// SUB-12 on a real Temporal dev server (whose continue-as-new is atomic, unlike the
// time-skipping server's): customer commands sent without pause across a renewal, while the
// workflow continues as new, are all carried out, none lost, none applied twice.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { useTestSystem } from './support/environments';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { subscriptionStateQuery, subscriptionWorkflowId, updateCardUpdate } from '../workflows/subscription';
import { deleteNow, seedPaidLine, startSubscription, waitState, saveTestCard } from './support/subscriptions';
import type { TestSystem } from './support/system';

/** A card saved with the gateway, as the API saves one, for the updateCard Update (X-7: by id). */
async function card(number: string, last4?: string): Promise<{ cardId: string; last4: string }> {
  const saved = await saveTestCard(sys, number);
  return { cardId: saved.cardId, last4: last4 ?? saved.last4 };
}

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

describe('continue-as-new under load', () => {
  it('SUB-12: card updates sent back to back across a renewal and its continue-as-new are each carried out exactly once', async () => {
    // Paid "a month ago" so that the first renewal falls due a few seconds from now.
    const dueAt = DateTime.now().setZone('Europe/Paris').plus({ seconds: 4 });
    const line = await seedPaidLine(sys, { paidAt: dueAt.minus({ months: 1 }).toUTC().toISO()! });
    await startSubscription(env.client, sys, line);
    const handle = env.client.workflow.getHandle(subscriptionWorkflowId(line.lineId));
    const before = await handle.query(subscriptionStateQuery);
    expect(Date.parse(before.nextDueAt!)).toBeGreaterThan(Date.now());

    const sent: string[] = [];
    const answered: string[] = [];
    const until = Date.parse(before.nextDueAt!) + 3000;
    for (let i = 1; Date.now() < until; i++) {
      const last4 = String(i).padStart(4, '0');
      sent.push(last4);
      const answer = await handle.executeUpdate(updateCardUpdate, { args: [await card(TEST_CARDS.success, last4)] }).catch((err) => {
        throw new Error(`update ${last4} failed: ${err.message}; cause: ${err.cause?.name} ${err.cause?.message} ${err.cause?.type ?? ''}`);
      });
      answered.push(answer.state.card.last4);
    }

    expect(sent.length).toBeGreaterThan(20); // commands kept arriving before, during and after the renewal
    const after = await waitState(env.client, line.lineId, (s) => s.paidPeriods >= 2);
    expect(after.run.number).toBeGreaterThan(before.run.number); // the renewal continued as new
    console.log(`[SUB-12] ${sent.length} card updates across the renewal; runs ${before.run.number} -> ${after.run.number}`);
    expect(answered).toEqual(sent); // every command answered, in order, with its own effect
    expect(after.card.last4).toBe(sent[sent.length - 1]);
    const replaced = await sys.db.auditLog.count({ where: { entityId: line.lineId, action: 'subscription.card_replaced' } });
    expect(replaced).toBe(sent.length); // each carried out once, none lost across runs
    // The renewal was charged once, by one attempt under its own gateway key.
    const payment = await sys.db.payment.findUniqueOrThrow({ where: { id: `sub:${line.lineId}:period:2` } });
    expect(payment).toMatchObject({ status: 'captured', gatewayKey: `sub:${line.lineId}:period:2:attempt:1` });
    expect(await sys.db.sandboxTransaction.count({ where: { kind: 'charge', idempotencyKey: { startsWith: `sub:${line.lineId}:period:2:` } } })).toBe(1);
    await deleteNow(env.client, sys, line);
  });
});
