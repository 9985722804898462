// Scenarios of the seller application (KYC-1) whose histories the replay test keeps replaying:
// each way a SellerApplication workflow ends — documents added one by one (a stale extract
// replaced) until submitted, then approved (the Seller made, the sign-in link e-mailed); submitted
// and rejected with a reason; left incomplete, reminded at day 23 and lapsed at day 30.
// Run this file alone:
// `npx vitest run --config vitest.record.config.ts test/record/seller-application-histories.record.ts`.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect, it } from 'vitest';
import { DEMO_KEYS } from '../../prisma/demo-data';
import { sellerApplicationWorkflowId } from '../../workflows/seller-application';
import { allButExtract, apply, parisDate, upload, type Applied } from '../support/application-fixtures';
import { useTestSystem } from '../support/environments';
import { saveHistory } from '../support/histories';
import { http } from '../support/http';
import type { TestSystem } from '../support/system';

let env: TestWorkflowEnvironment;
let sys: TestSystem;

useTestSystem('time-skipping', (e, s) => {
  env = e;
  sys = s;
});

const finished = (a: Applied) => env.client.workflow.getHandle(sellerApplicationWorkflowId(a.applicationId)).result();

async function complete(a: Applied, staleFirst = false): Promise<void> {
  const now = await env.currentTimeMs();
  const extracts = [...(staleFirst ? [{ kind: 'registration_extract', issuedOn: parisDate(now, { months: 3, days: 1 }) }] : []), { kind: 'registration_extract', issuedOn: parisDate(now, { days: 2 }) }];
  for (const u of [...allButExtract(a), ...extracts]) {
    const res = await upload(sys.apiUrl, a.applicationId, a.token, u);
    expect(res.status, `${u.kind}: ${JSON.stringify(res.body)}`).toBe(201);
  }
  expect((await sys.db.sellerApplication.findUniqueOrThrow({ where: { id: a.applicationId } })).status).toBe('submitted');
}

it('records an application completed document by document (a stale extract replaced), then approved (KYC-1)', async () => {
  const a = await apply(sys.apiUrl);
  await complete(a, true);
  const res = await http(sys.apiUrl, 'POST', `/seller-applications/${a.applicationId}/approve`, { key: DEMO_KEYS.ops, body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await finished(a)).status).toBe('approved');
  await saveHistory(env.client, sellerApplicationWorkflowId(a.applicationId), 'seller-application--stale-extract-replaced-approved');
});

it('records an application submitted and rejected with a reason (KYC-1)', async () => {
  const a = await apply(sys.apiUrl);
  await complete(a);
  const res = await http(sys.apiUrl, 'POST', `/seller-applications/${a.applicationId}/reject`, { key: DEMO_KEYS.ops, body: { reason: 'Statutes unsigned' } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await finished(a)).status).toBe('rejected');
  await saveHistory(env.client, sellerApplicationWorkflowId(a.applicationId), 'seller-application--submitted-rejected');
});

it('records an application left incomplete: reminded at day 23, lapsed at day 30 (KYC-1)', async () => {
  const a = await apply(sys.apiUrl);
  const res = await upload(sys.apiUrl, a.applicationId, a.token, { kind: 'statutes' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const end = await finished(a);
  expect(end.status).toBe('lapsed');
  expect(end.remindedAt).not.toBeNull();
  await saveHistory(env.client, sellerApplicationWorkflowId(a.applicationId), 'seller-application--reminded-lapsed');
});
