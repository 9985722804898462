// Scenarios of the call for tenders (TND-1) whose histories the replay test keeps replaying: each
// way a Tender workflow ends — a customer's call announced to a partner, answered with a proposal
// and withdrawn from the e-mailed link; a visitor's call verified by its code, then closed after
// 30 days; a visitor's call left unverified and dropped after 48 hours.
// Run this file alone:
// `npx vitest run --config vitest.record.config.ts test/record/tender-histories.record.ts`.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect, it } from 'vitest';
import { tenderWorkflowId } from '../../workflows/tender';
import { useTestSystem } from '../support/environments';
import { saveHistory } from '../support/histories';
import { http } from '../support/http';
import { emailSent } from '../support/orders';
import type { TestSystem } from '../support/system';
import { freshCustomer, freshPartner, postTender, tenderBody, verificationCode, withdrawalPathIn } from '../support/tender-fixtures';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const finished = (tenderId: string) => env.client.workflow.getHandle(tenderWorkflowId(tenderId)).result();

it('records a customer call announced to a partner, answered, and withdrawn from the e-mailed link (TND-1)', async () => {
  const partner = await freshPartner(sys.db, ['web_hosting']);
  const customer = await freshCustomer(sys.db);
  const t = await postTender(sys.apiUrl, customer.key);
  await emailSent(sys.db, `tnd:${t.tenderId}:excerpt:${partner.partnerId}`);
  const proposal = await http(sys.apiUrl, 'POST', `/partner/tenders/${t.tenderId}/proposals`, { key: partner.key, body: { message: 'Recorded proposal', priceCents: 12_075, currency: 'EUR' } });
  expect(proposal.status, JSON.stringify(proposal.body)).toBe(201);
  const { email } = await emailSent(sys.db, `tnd:${t.tenderId}:proposal:${proposal.body.proposalId}`);
  expect((await http(sys.apiUrl, 'POST', withdrawalPathIn(email.text), { body: {} })).status).toBe(200);
  expect((await finished(t.tenderId)).status).toBe('withdrawn');
  await saveHistory(env.client, tenderWorkflowId(t.tenderId), 'tender--customer-call-proposal-withdrawn-by-link');
});

it("records a visitor's call verified by its code, then closed after 30 days (TND-1)", async () => {
  const t = await postTender(sys.apiUrl, undefined, tenderBody({ category: 'email', contact: { name: 'Recorded Visitor', email: 'recorded-visitor@example.test' } }));
  const code = await verificationCode(sys.db, t.tenderId);
  const res = await http(sys.apiUrl, 'POST', `/tenders/${t.tenderId}/verify`, { body: { code } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await finished(t.tenderId)).status).toBe('closed');
  await saveHistory(env.client, tenderWorkflowId(t.tenderId), 'tender--visitor-verified-closed');
});

it("records a visitor's call left unverified and dropped after 48 hours (TND-1)", async () => {
  const t = await postTender(sys.apiUrl, undefined, tenderBody({ contact: { name: 'Silent Visitor', email: 'silent-visitor@example.test' } }));
  expect((await finished(t.tenderId)).status).toBe('dropped');
  await saveHistory(env.client, tenderWorkflowId(t.tenderId), 'tender--visitor-unverified-dropped');
});
