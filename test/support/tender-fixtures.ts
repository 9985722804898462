// Calls for tenders (TND-1) for tests: approved partners made as rows (a customer account with its
// key, and its Partner row with the categories it opted in to), customers with a key, calls posted
// through the API, and the links and codes their e-mails carry.
import { randomBytes, randomUUID } from 'node:crypto';
import { hashKey } from '../../api/auth';
import type { Db } from '../../infra/db';
import { emailSent } from './orders';
import { http } from './http';

export interface FreshAccount {
  customerId: string;
  email: string;
  name: string;
  /** The account's API key (kind 'customer'). */
  key: string;
}
export interface FreshPartner extends FreshAccount {
  partnerId: string;
  companyName: string;
}

export async function freshCustomer(db: Db, label = 'Customer'): Promise<FreshAccount> {
  const u = randomUUID().slice(0, 8);
  const a = { customerId: `cus_tnd_${u}`, email: `tnd-${label.toLowerCase()}-${u}@example.test`, name: `${label} ${u}`, key: `cust_tnd_${randomBytes(18).toString('base64url')}` };
  await db.customer.create({ data: { id: a.customerId, email: a.email, name: a.name, type: 'business', verifiedAt: new Date() } });
  await db.apiKey.create({ data: { hash: hashKey(a.key), label: a.name, kind: 'customer', customerId: a.customerId } });
  return a;
}

/** A partner company signed in as its customer account: approved (or not), with these categories. */
export async function freshPartner(db: Db, categories: string[], status: 'approved' | 'pending' = 'approved'): Promise<FreshPartner> {
  const account = await freshCustomer(db, 'Partner');
  const partnerId = `prt_${randomBytes(8).toString('hex')}`;
  const companyName = `${account.name} Web SARL`;
  await db.partner.create({
    data: {
      id: partnerId, customerId: account.customerId, companyName, registrationNumber: `CHE-${account.customerId.slice(-8)}`, website: `https://${account.customerId}.example.test`,
      legalRepresentatives: [{ name: account.name, email: account.email }], status, tenderCategories: categories, ...(status === 'approved' ? { decidedAt: new Date(), decidedBy: 'staff:ops' } : {}),
    },
  });
  return { ...account, partnerId, companyName };
}

export function tenderBody(over: Record<string, unknown> = {}) {
  const u = randomUUID().slice(0, 8);
  return {
    category: 'web_hosting',
    title: `Hosting for our shop ${u}`,
    excerpt: 'We look for managed hosting for a shop of 2,000 orders a month.',
    description: `Full brief ${u}: PHP 8.3, MySQL, 50 GB, daily backups, migration from our current host before March.`,
    ...over,
  };
}

export async function postTender(apiUrl: string, key: string | undefined, body: Record<string, unknown> = tenderBody()): Promise<any> {
  const res = await http(apiUrl, 'POST', '/tenders', { key, body });
  if (res.status !== 201) throw new Error(`POST /tenders: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The withdrawal link an e-mail carries: its path, for the API's base URL. */
export function withdrawalPathIn(text: string): string {
  const m = /\/links\/tender-withdrawal\/[A-Za-z0-9_.-]+/.exec(text);
  if (!m) throw new Error(`no withdrawal link in: ${text}`);
  return m[0];
}

/** The code of a call's verification e-mail, once sent. */
export async function verificationCode(db: Db, tenderId: string): Promise<string> {
  const { email } = await emailSent(db, `tnd:${tenderId}:verification`);
  return /Verification code: (\w+)/.exec(email.text)![1];
}
