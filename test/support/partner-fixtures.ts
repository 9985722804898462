// Partners and partnerships for the PRT-1, PRT-2, PRT-3, PRT-5 and PRT-7 tests, made through the
// API as the people would: a business customer account (written to the database with its key, as
// a sign-in would leave it), its partner application approved by ops, invitations both ways.
import { randomUUID } from 'node:crypto';
import { hashKey } from '../../api/auth';
import { DEMO, DEMO_KEYS } from '../../prisma/demo-data';
import { http, type HttpResponse } from './http';
import type { TestSystem } from './system';

export interface Account {
  customerId: string;
  key: string;
  email: string;
}

export interface ApprovedPartner extends Account {
  partnerId: string;
  companyName: string;
  representatives: { name: string; email: string }[];
}

/** Product ids of the demo catalogue (offer.productId ?? offer.id: the demo offers are their own products). */
export const PRODUCTS = { mail: DEMO.offers.acmeMail.id, crm: DEMO.offers.acmeCrm.id, backup: DEMO.offers.globexBackup.id } as const;

export async function account(sys: TestSystem, opts: { type?: 'business' | 'individual'; affiliate?: boolean; label?: string } = {}): Promise<Account> {
  const u = randomUUID().slice(0, 8);
  const label = opts.label ?? 'acct';
  const a = { customerId: `cus_${label}_${u}`, key: `cust_test_${label}_${u}`, email: `${label}-${u}@example.test` };
  await sys.db.customer.create({
    data: { id: a.customerId, email: a.email, name: `Company ${label} ${u}`, type: opts.type ?? 'business', registrationNumber: opts.type === 'individual' ? null : `RCS ${u}`, affiliate: opts.affiliate ?? false, verifiedAt: new Date() },
  });
  await sys.db.apiKey.create({ data: { hash: hashKey(a.key), label: a.email, kind: 'customer', customerId: a.customerId } });
  return a;
}

export function applicationBody(u = randomUUID().slice(0, 8), representatives = 2) {
  return {
    companyName: `Reseller ${u} SAS`,
    registrationNumber: `RCS Lyon ${u}`,
    website: `https://reseller-${u}.example.test`,
    legalRepresentatives: Array.from({ length: representatives }, (_, i) => ({ name: `Representative ${i + 1} ${u}`, email: `rep${i + 1}-${u}@example.test` })),
  };
}

export async function applyAsPartner(sys: TestSystem, a: Account, body = applicationBody()): Promise<HttpResponse> {
  return http(sys.apiUrl, 'POST', '/partner/application', { key: a.key, body });
}

/** A business account that applied and was approved by ops (PRT-1). */
export async function approvedPartner(sys: TestSystem): Promise<ApprovedPartner> {
  const a = await account(sys, { label: 'partner' });
  const body = applicationBody();
  const applied = await applyAsPartner(sys, a, body);
  if (applied.status !== 201) throw new Error(`apply: ${applied.status} ${JSON.stringify(applied.body)}`);
  const approved = await http(sys.apiUrl, 'POST', `/staff/partners/${applied.body.partnerId}/approve`, { key: DEMO_KEYS.ops, body: {} });
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`);
  return { ...a, partnerId: applied.body.partnerId, companyName: body.companyName, representatives: body.legalRepresentatives };
}

type Grant = { access: 'limited'; productIds: string[] } | { access: 'complete' };

/** PRT-2: the partner's first legal representative invites the customer (by e-mail). */
export async function partnerInvites(sys: TestSystem, p: ApprovedPartner, c: Account, grant: Grant): Promise<HttpResponse> {
  return http(sys.apiUrl, 'POST', '/partner/partnerships', { key: p.key, body: { customerEmail: c.email, representativeEmail: p.representatives[0].email, ...grant } });
}

/** PRT-2: the customer invites the partner. */
export async function customerInvites(sys: TestSystem, c: Account, p: ApprovedPartner, grant: Grant): Promise<HttpResponse> {
  return http(sys.apiUrl, 'POST', '/partnerships', { key: c.key, body: { partnerId: p.partnerId, ...grant } });
}

export async function command(sys: TestSystem, key: string, partnershipId: string, path: string, body: unknown = {}): Promise<HttpResponse> {
  return http(sys.apiUrl, 'POST', `/partnerships/${partnershipId}/${path}`, { key, body });
}

/** An invitation by the partner, accepted by the customer as asked: in force. */
export async function activePartnership(sys: TestSystem, p: ApprovedPartner, c: Account, grant: Grant): Promise<string> {
  const invited = await partnerInvites(sys, p, c, grant);
  if (invited.status !== 201) throw new Error(`invite: ${invited.status} ${JSON.stringify(invited.body)}`);
  const accepted = await command(sys, c.key, invited.body.partnershipId, 'accept');
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return invited.body.partnershipId;
}
