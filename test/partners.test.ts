// PRT-1 partner applications over the API: a registered company's account applies with its
// registration number, website and legal representatives; ops list, approve or refuse it. An
// affiliate account cannot apply nor be approved, an account applies once (again only after a
// refusal), an individual account is no company. No Temporal process: the shared dev server.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../prisma/demo-data';
import { useTestSystem } from './support/environments';
import { http } from './support/http';
import { account, applicationBody, applyAsPartner } from './support/partner-fixtures';
import type { TestSystem } from './support/system';

let sys: TestSystem;
useTestSystem('dev-server', (_e: TestWorkflowEnvironment, s) => {
  sys = s;
});

const OPS = DEMO_KEYS.ops;

describe('PRT-1 partner applications', () => {
  it('PRT-1: a business account applies, ops see it pending in the paginated list and approve it; the audit log has both steps', async () => {
    const a = await account(sys);
    const body = applicationBody();
    const applied = await applyAsPartner(sys, a, body);
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    expect(applied.body).toMatchObject({ status: 'pending', customerId: a.customerId, companyName: body.companyName, registrationNumber: body.registrationNumber, website: body.website, legalRepresentatives: body.legalRepresentatives });
    const partnerId = applied.body.partnerId;
    const page = await http(sys.apiUrl, 'GET', '/staff/partners?status=pending&limit=100', { key: OPS });
    expect(page.status).toBe(200);
    expect(page.body.items.map((p: any) => p.partnerId)).toContain(partnerId);
    expect((await http(sys.apiUrl, 'GET', '/staff/partners', { key: a.key })).status).toBe(403);
    expect((await http(sys.apiUrl, 'POST', `/staff/partners/${partnerId}/approve`, { key: a.key, body: {} })).status).toBe(403);
    const approved = await http(sys.apiUrl, 'POST', `/staff/partners/${partnerId}/approve`, { key: OPS, body: {} });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('approved');
    expect((await http(sys.apiUrl, 'GET', '/partner/application', { key: a.key })).body.status).toBe('approved');
    expect((await http(sys.apiUrl, 'POST', `/staff/partners/${partnerId}/refuse`, { key: OPS, body: { reason: 'late' } })).status).toBe(409);
    const audit = await sys.db.auditLog.findMany({ where: { entityType: 'partner', entityId: partnerId }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['partner.applied', 'partner.approved']);
    expect(audit[1].actor).toMatch(/^staff:/);
  });

  it('PRT-1: partner-and-affiliate refused: an affiliate account cannot apply, and an account flagged affiliate meanwhile cannot be approved (422 naming the rule)', async () => {
    const affiliate = await account(sys, { affiliate: true });
    const refused = await applyAsPartner(sys, affiliate);
    expect(refused.status).toBe(422);
    expect(refused.body.type).toMatch(/affiliate-cannot-be-partner$/);
    expect(refused.body.detail).toContain('PRT-1');
    expect(await sys.db.partner.findUnique({ where: { customerId: affiliate.customerId } })).toBeNull();

    const a = await account(sys);
    const applied = await applyAsPartner(sys, a);
    expect(applied.status).toBe(201);
    await sys.db.customer.update({ where: { id: a.customerId }, data: { affiliate: true } });
    const approval = await http(sys.apiUrl, 'POST', `/staff/partners/${applied.body.partnerId}/approve`, { key: OPS, body: {} });
    expect(approval.status).toBe(422);
    expect(approval.body.detail).toContain('PRT-1');
    expect((await sys.db.partner.findUniqueOrThrow({ where: { id: applied.body.partnerId } })).status).toBe('pending');
  });

  it('PRT-1: an account applies once (422 while pending or approved); a refused one, told the reason, may apply again; an individual is no company', async () => {
    const a = await account(sys);
    const first = await applyAsPartner(sys, a);
    const again = await applyAsPartner(sys, a);
    expect(again.status).toBe(422);
    expect(again.body.type).toMatch(/already-applied$/);
    expect(again.body.detail).toContain(first.body.partnerId);
    const refusal = await http(sys.apiUrl, 'POST', `/staff/partners/${first.body.partnerId}/refuse`, { key: OPS, body: { reason: 'Registration number unknown' } });
    expect(refusal.status).toBe(200);
    expect(refusal.body).toMatchObject({ status: 'refused', refusalReason: 'Registration number unknown' });
    const reapplied = await applyAsPartner(sys, a);
    expect(reapplied.status).toBe(201);
    expect(reapplied.body).toMatchObject({ partnerId: first.body.partnerId, status: 'pending', refusalReason: null });

    const person = await account(sys, { type: 'individual' });
    const individual = await applyAsPartner(sys, person);
    expect(individual.status).toBe(422);
    expect(individual.body.type).toMatch(/not-a-company$/);
    expect((await http(sys.apiUrl, 'GET', '/partner/application', { key: person.key })).status).toBe(404);
  });

  it('PRT-1: an application without a legal representative, or with a website that is no URL, is a 400 naming the field', async () => {
    const a = await account(sys);
    const none = await applyAsPartner(sys, a, { ...applicationBody(), legalRepresentatives: [] });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].field).toBe('body.legalRepresentatives');
    const site = await applyAsPartner(sys, a, { ...applicationBody(), website: 'not a url' });
    expect(site.status).toBe(400);
    expect(site.body.errors[0].field).toBe('body.website');
  });
});
