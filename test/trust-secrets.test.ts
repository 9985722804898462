// no secret in any workflow history, recorded or live: card tokens, SUB-10 codes and the
// sellers' access instructions stay in the database and travel by id. Before issue 9 the 27
// recorded histories held 136 payloads with such secrets in clear.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { subscriptionWorkflowId } from '../workflows/subscription';
import { useTestSystem } from './support/environments';
import { decodedPayloadTexts, RECORDED_SECRETS, secretsIn } from './support/history-secrets';
import { loadHistories } from './support/histories';
import { eventually, http } from './support/http';
import { linesAwaitingValidation, placeOrder } from './support/orders';
import type { TestSystem } from './support/system';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { ticketWorkflowId } from '../workflows/ticket';
import { openTicketAs, supportedService, ticketCommand } from './support/tickets';

let env: TestWorkflowEnvironment;
let sys: TestSystem;
useTestSystem('dev-server', (e, s) => {
  env = e;
  sys = s;
});

describe('X-7: secrets never enter a workflow history', () => {
  it('X-7: no recorded history (test/histories/) holds a card token, card number, key, code or access instructions', async () => {
    const histories = loadHistories();
    expect(histories.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const h of histories) {
      for (const s of await secretsIn(h.history, Object.values(RECORDED_SECRETS))) found.push(`${h.scenario}: ${s}`);
    }
    expect(found).toEqual([]);
  });

  it('X-7: a live order, its acceptance with credentials, a card change and a deletion code leave none of them in any history', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const lineId = order.lines[0].lineId;
    const credentials = `admin / ${Math.random().toString(36).slice(2)}-Pa55!`;
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: credentials } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    await eventually(async () => (await sys.db.subscription.findUnique({ where: { id: lineId } })) ?? undefined, 20_000, 'subscription');
    const card = await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/card`, { key: order.customerApiKey, body: { card: { number: TEST_CARDS.success, expMonth: 12, expYear: 2031, cvc: '321' } } });
    expect(card.status, JSON.stringify(card.body)).toBe(200);
    expect((await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion`, { key: order.customerApiKey, body: {} })).status).toBe(200);
    const codeMail = await sys.db.email.findFirstOrThrow({ where: { id: { startsWith: `sub:${lineId}:deletion-code:` } } });
    const code = /Confirmation code: (\w+)/.exec(codeMail.text)![1];
    // Wrong codes are counted by the API; the right one ends the service.
    const wrong = await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion/confirm`, { key: order.customerApiKey, body: { code: code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.reason).toBe('WrongCode');
    const confirmed = await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion/confirm`, { key: order.customerApiKey, body: { code } });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.state.status).toBe('terminated');

    const tokens = (await sys.db.paymentCard.findMany({ where: { customerId: order.customerId } })).map((c) => c.token);
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    const secrets = [credentials, code, ...tokens, order.customerApiKey, order.orderToken];
    const ids = [`Order:${order.orderId}`, `OrderLine:${lineId}`, subscriptionWorkflowId(lineId)];
    const found: string[] = [];
    // The scan reads decoded payloads: the line's history shows the instructions' id, not their text.
    const lineHistory = JSON.parse(historyToJSON(await env.client.workflow.getHandle(`OrderLine:${lineId}`).fetchHistory()));
    expect((await decodedPayloadTexts(lineHistory)).join('\n')).toMatch(/"accessInstructionsId":"acc_/);
    for (const workflowId of ids) {
      const history = JSON.parse(historyToJSON(await env.client.workflow.getHandle(workflowId).fetchHistory()));
      for (const s of await secretsIn(history, secrets)) found.push(`${workflowId}: ${s}`);
    }
    // The delivery workflows carry e-mail ids, never their texts.
    for await (const wf of env.client.workflow.list({ query: `WorkflowType = 'emailDeliveryWorkflow' AND WorkflowId STARTS_WITH 'EmailDelivery:line:${lineId}'` })) {
      const history = JSON.parse(historyToJSON(await env.client.workflow.getHandle(wf.workflowId).fetchHistory()));
      for (const s of await secretsIn(history, secrets)) found.push(`${wf.workflowId}: ${s}`);
    }
    expect(found).toEqual([]);
  });

  it('X-7, DIA-4: a ticket paid by card is recorded with the card\'s id only: the recorded ticket histories hold no card token nor number', async () => {
    const tickets = loadHistories().filter((h) => h.scenario.startsWith('ticket--'));
    expect(tickets.length).toBeGreaterThanOrEqual(5);
    const found: string[] = [];
    for (const h of tickets) for (const s of await secretsIn(h.history)) found.push(`${h.scenario}: ${s}`);
    expect(found).toEqual([]);
    // The payment Updates reached the history, by id: the scan read the payloads that carry the card.
    const paid = tickets.find((h) => h.scenario === 'ticket--incident-fixed-declined-then-paid')!;
    expect((await decodedPayloadTexts(paid.history)).join('\n')).toMatch(/"cardId":"card_[0-9a-f-]{36}"/);
  });

  it('X-7, DIA-4: a live ticket paid after a declined card leaves neither card\'s token nor number in its history or its e-mails\' deliveries', async () => {
    const s = await supportedService(env.client, sys, { paidAt: new Date().toISOString(), offerId: DEMO.offers.globexBackup.id });
    const t = await openTicketAs(sys, s, 'incident');
    expect((await ticketCommand(sys, t.ticketId, 'consent', { acceptedPriceCents: t.diagnostic.priceNowCents }, s.customerKey)).status).toBe(200);
    expect((await ticketCommand(sys, t.ticketId, 'diagnosis', { outcome: 'fixed' })).status).toBe(200);
    const card = (number: string) => ({ card: { number, expMonth: 12, expYear: 2031, cvc: '321' } });
    expect((await ticketCommand(sys, t.ticketId, 'pay', card(TEST_CARDS.declined), s.customerKey)).status).toBe(422);
    const paid = await ticketCommand(sys, t.ticketId, 'pay', card(TEST_CARDS.success), s.customerKey);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.status).toBe('paid');

    // Every card the customer gave (the checkout's, the declined one, the one that paid).
    const tokens = (await sys.db.paymentCard.findMany({ where: { customerId: s.customerId } })).map((c) => c.token);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const secrets = [...tokens, TEST_CARDS.success, TEST_CARDS.declined, s.customerKey];
    const history = JSON.parse(historyToJSON(await env.client.workflow.getHandle(ticketWorkflowId(t.ticketId)).fetchHistory()));
    expect((await decodedPayloadTexts(history)).join('\n')).toMatch(/"cardId":"card_/);
    const found = (await secretsIn(history, secrets)).map((x) => `ticket: ${x}`);
    // Opened, consented, diagnosed, invoiced, paid: visibility lists them shortly after they start.
    const deliveries = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of env.client.workflow.list({ query: `TaskQueue = "${sys.taskQueue}" AND WorkflowId STARTS_WITH 'EmailDelivery:ticket:${t.ticketId}:'` })) ids.push(wf.workflowId);
      return ids.length >= 5 ? ids : undefined;
    }, 20_000, "the ticket's e-mail deliveries");
    for (const id of deliveries) {
      const delivery = JSON.parse(historyToJSON(await env.client.workflow.getHandle(id).fetchHistory()));
      for (const x of await secretsIn(delivery, secrets)) found.push(`${id}: ${x}`);
    }
    expect(found).toEqual([]);
  });

  it('X-7: after 5 wrong codes the deletion request stops working; a new request gives a new code', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const lineId = order.lines[0].lineId;
    expect((await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'x' } })).status).toBe(200);
    await eventually(async () => (await sys.db.subscription.findUnique({ where: { id: lineId } })) ?? undefined, 20_000, 'subscription');
    expect((await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion`, { key: order.customerApiKey, body: {} })).status).toBe(200);
    const first = /Confirmation code: (\w+)/.exec((await sys.db.email.findFirstOrThrow({ where: { id: `sub:${lineId}:deletion-code:1` } })).text)![1];
    const confirm = (code: string) => http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion/confirm`, { key: order.customerApiKey, body: { code } });
    for (let i = 0; i < 5; i++) expect((await confirm(first === 'ZZZZZZZZ' ? 'YYYYYYYY' : 'ZZZZZZZZ')).status).toBe(422);
    const exhausted = await confirm(first);
    expect(exhausted.status).toBe(422);
    expect(exhausted.body.reason).toBe('TooManyAttempts');
    expect((await http(sys.apiUrl, 'POST', `/subscriptions/${lineId}/deletion`, { key: order.customerApiKey, body: {} })).status).toBe(200);
    const second = /Confirmation code: (\w+)/.exec((await sys.db.email.findFirstOrThrow({ where: { id: `sub:${lineId}:deletion-code:2` } })).text)![1];
    expect((await confirm(second)).status).toBe(200);
    // Stored hashed only.
    expect(JSON.stringify(await sys.db.deletionCode.findMany({ where: { subscriptionId: lineId } }))).not.toContain(second);
  });
});
