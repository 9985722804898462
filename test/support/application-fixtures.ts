// Seller applications (KYC-1) for tests: an application made through the API, its documents
// uploaded as multipart files (the JSON client in ./http cannot send them), and files whose first
// bytes are a PDF, a PNG, a JPEG, or none of them. Uploads go to a temp folder, not data/.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { http, type HttpResponse } from './http';
import { expectDocumented } from './openapi-check';
import { BILLING_MANDATE } from '../../domain/billing-identity';

process.env.FILE_STORE_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'kyc-files-'));

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR-test-image')]);
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF-test-image')]);
export const HTML = Buffer.from('<!doctype html><script>alert(1)</script>');

export interface Applied {
  applicationId: string;
  token: string;
  companyName: string;
  contactEmail: string;
  body: any;
}

export function applicationBody(opts: { representatives?: number; owners?: number } = {}) {
  const u = randomUUID().slice(0, 8);
  return {
    companyName: `Applicant ${u} SAS`,
    registrationNumber: `RCS ${u}`,
    address: `${u} avenue du Test, 69001 Lyon`,
    contact: { name: `Contact ${u}`, email: `kyc-${u}@example.test`, phone: '+33 4 00 00 00 01' },
    legalRepresentatives: Array.from({ length: opts.representatives ?? 1 }, (_, i) => ({ name: `Representative ${i + 1} ${u}` })),
    beneficialOwners: Array.from({ length: opts.owners ?? 1 }, (_, i) => ({ name: `Owner ${i + 1} ${u}` })),
    billingMandate: { version: BILLING_MANDATE.version },
  };
}

export async function apply(apiUrl: string, opts: { representatives?: number; owners?: number } = {}): Promise<Applied> {
  const body = applicationBody(opts);
  const res = await http(apiUrl, 'POST', '/seller-applications', { body });
  if (res.status !== 201) throw new Error(`apply: ${res.status} ${JSON.stringify(res.body)}`);
  return { applicationId: res.body.application.applicationId, token: res.body.applicationToken, companyName: body.companyName, contactEmail: body.contact.email, body: res.body };
}

export interface Upload {
  kind: string;
  person?: number;
  issuedOn?: string;
  accountHolder?: string;
  file?: { bytes: Buffer; name: string; type: string };
}

/** POST …/documents as multipart/form-data, the answer checked against /openapi.json as the JSON client does. */
export async function upload(apiUrl: string, applicationId: string, key: string | undefined, u: Upload): Promise<HttpResponse> {
  const form = new FormData();
  form.set('kind', u.kind);
  if (u.person !== undefined) form.set('person', String(u.person));
  if (u.issuedOn !== undefined) form.set('issuedOn', u.issuedOn);
  if (u.accountHolder !== undefined) form.set('accountHolder', u.accountHolder);
  const file = u.file ?? { bytes: PDF, name: `${u.kind}.pdf`, type: 'application/pdf' };
  form.set('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const p = `/seller-applications/${applicationId}/documents`;
  const res = await fetch(`${apiUrl}${p}`, { method: 'POST', headers: key ? { authorization: `Bearer ${key}` } : {}, body: form });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  const answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: body as any, headers: res.headers };
  await expectDocumented(apiUrl, 'POST', p, answer);
  return answer;
}

/** Today in Paris at `nowMs` (the workflow's clock in time-skipping tests), shifted. */
export function parisDate(nowMs: number, shift: { months?: number; days?: number } = {}): string {
  return DateTime.fromMillis(nowMs, { zone: 'Europe/Paris' }).minus(shift).toISODate()!;
}

/** Every document but the extract: the ID of each person, bank details in the company's name, statutes, declaration. */
export function allButExtract(a: Applied, representatives = 1, owners = 1): Upload[] {
  return [
    ...Array.from({ length: representatives }, (_, i) => ({ kind: 'representative_id', person: i + 1, file: { bytes: PNG, name: `rep-${i + 1}.png`, type: 'image/png' } })),
    { kind: 'bank_details', accountHolder: a.companyName.toUpperCase() },
    { kind: 'statutes' },
    { kind: 'beneficial_owner_declaration' },
    ...Array.from({ length: owners }, (_, i) => ({ kind: 'beneficial_owner_id', person: i + 1, file: { bytes: JPEG, name: `owner-${i + 1}.jpg`, type: 'image/jpeg' } })),
  ];
}

/** An application with every document in (the extract dated today, real clock): submitted. */
export async function submittedApplication(apiUrl: string): Promise<Applied> {
  const a = await apply(apiUrl);
  for (const u of [...allButExtract(a), { kind: 'registration_extract', issuedOn: parisDate(Date.now()) }]) {
    const res = await upload(apiUrl, a.applicationId, a.token, u);
    if (res.status !== 201) throw new Error(`upload ${u.kind}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return a;
}
