// INV-1: documents that hold up in law, on the time-skipping server: frozen at issue (a download
// after the seller's and customer's rows changed is byte-identical), every mandatory mention in
// the PDF's text and the Factur-X XML, gapless and chronological numbering under concurrency and
// retries, the purchase order as a document attached to its e-mail, finance's ZIP of a period.
import { createHash, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { businessDay } from '../activities/document-snapshot';
import { takeInvoice } from '../activities/invoices';
import { BILLING_MANDATE, frenchVatNumber } from '../domain/billing-identity';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { useTestSystem } from './support/environments';
import { http } from './support/http';
import { emailSent, linesAwaitingValidation, placeOrder } from './support/orders';
import { expectValidFacturX } from './support/factur-x-xsd';
import { pdfAttachments, pdfText } from './support/pdf-text';
import { freshSeller, type FreshSeller } from './support/sellers';
import type { TestSystem } from './support/system';

let sys: TestSystem;
useTestSystem('time-skipping', (_e: TestWorkflowEnvironment, s) => {
  sys = s;
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const checkoutInvoice = (orderId: string, sellerId: string) => `order:${orderId}:checkout:${sellerId}`;

async function download(path: string, key: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(`${sys.apiUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

async function orderFrom(seller: FreshSeller, opts: { type?: 'individual' | 'business'; vatNumber?: string; registrationNumber?: string } = {}) {
  const order = await placeOrder(sys.apiUrl, { offers: [seller.offerId], terms: [{ sellerId: seller.sellerId, version: seller.terms }], ...opts });
  await emailSent(sys.db, `invoice:${checkoutInvoice(order.orderId, seller.sellerId)}:email`);
  return order;
}

/** Every entry of a ZIP, by path. */
function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      const out = new Map<string, Buffer>();
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            file.readEntry();
          });
        });
      });
      file.on('end', () => resolve(out));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

describe('documents (INV-1)', () => {
  it("INV-1: an issued invoice downloaded after the seller's and the customer's rows changed is byte-identical, and the database refuses to edit it", async () => {
    const seller = await freshSeller(sys.db);
    const order = await orderFrom(seller);
    const invoiceId = checkoutInvoice(order.orderId, seller.sellerId);
    const first = await download(`/invoices/${encodeURIComponent(invoiceId)}/pdf`, order.customerApiKey);
    const firstXml = await download(`/invoices/${encodeURIComponent(invoiceId)}/xml`, order.customerApiKey);
    expect([first.status, firstXml.status]).toEqual([200, 200]);
    const stored = await sys.db.documentFile.findMany({ where: { invoiceId }, orderBy: { format: 'asc' } });
    expect(stored.map((f) => [f.format, f.sha256])).toEqual([['pdf', sha(first.bytes)], ['xml', sha(firstXml.bytes)]]);
    expect(first.headers.get('digest')).toBe(`sha-256=${Buffer.from(sha(first.bytes), 'hex').toString('base64')}`);

    await sys.db.seller.update({ where: { id: seller.sellerId }, data: { legalName: 'Renamed Holding SA', address: '99 avenue Nouvelle, 13001 Marseille', registrationNumber: '999999999', vatNumber: 'FR00999999999' } });
    await sys.db.customer.update({ where: { id: order.customerId }, data: { name: 'Someone Else', address: '1 rue Ailleurs, 33000 Bordeaux' } });
    await sys.db.order.update({ where: { id: order.orderId }, data: { customerName: 'Someone Else', customerAddress: '1 rue Ailleurs, 33000 Bordeaux' } });

    const again = await download(`/invoices/${encodeURIComponent(invoiceId)}/pdf`, order.customerApiKey);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect((await download(`/invoices/${encodeURIComponent(invoiceId)}/xml`, order.customerApiKey)).bytes.equals(firstXml.bytes)).toBe(true);
    const bySeller = await download(`/invoices/${encodeURIComponent(invoiceId)}/pdf`, seller.key);
    expect(bySeller.bytes.equals(first.bytes)).toBe(true);
    const text = await pdfText(again.bytes);
    expect(text).toContain(seller.legalName);
    expect(text).toContain('Test Buyer');
    expect(text).not.toContain('Renamed Holding');
    expect(text).not.toContain('Someone Else');

    // Never edited, never removed: a correction is a credit note.
    await expect(sys.db.$executeRaw`UPDATE "Invoice" SET "totalCents" = 1 WHERE "id" = ${invoiceId}`).rejects.toThrow(/append-only/);
    await expect(sys.db.$executeRaw`DELETE FROM "DocumentFile" WHERE "invoiceId" = ${invoiceId}`).rejects.toThrow(/append-only/);
    await expect(sys.db.$executeRaw`UPDATE "DocumentFile" SET "sha256" = 'x' WHERE "invoiceId" = ${invoiceId}`).rejects.toThrow(/append-only/);
  });

  it("INV-1: every mandatory mention of a business customer's invoice and of its credit note, in the PDF's text and in the embedded Factur-X XML", async () => {
    const seller = await freshSeller(sys.db);
    const order = await orderFrom(seller, { type: 'business', vatNumber: 'DE123456789', registrationNumber: 'HRB 12345' });
    const invoiceId = checkoutInvoice(order.orderId, seller.sellerId);
    const invoice = await sys.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
    const pdf = (await download(`/invoices/${encodeURIComponent(invoiceId)}/pdf`, order.customerApiKey)).bytes;
    const text = (await pdfText(pdf)).replace(/\s+/g, '');
    const paidDay = businessDay(order.paidAt);
    const mentions = [
      invoice.number,
      paidDay,
      seller.legalName,
      `${seller.sellerId.slice(6)} rue du Test, 75001 Paris`,
      seller.siren,
      frenchVatNumber(seller.siren),
      'Test Buyer',
      '5 avenue Test, 69001 Lyon',
      'DE123456789',
      'HRB 12345',
      'au nom et pour le compte de',
      BILLING_MANDATE.version,
      '10.00 EUR', // unit price excl. VAT
      '20%',
      '2.00 EUR', // VAT of the rate
      '12.00 EUR', // total incl. VAT
      'L441-10',
      '40.00 EUR',
      `payment order:${order.orderId}:checkout`,
    ];
    // Compared without white space: a line may wrap anywhere a space or a hyphen is.
    for (const m of mentions) expect(text, m).toContain(m.replace(/\s+/g, ''));
    // The service period: from the payment's day to the day before the first renewal.
    const line = (invoice.document as { lines: { quantity: number; periodStart: string; periodEnd: string }[] }).lines[0];
    expect(line.quantity).toBe(1);
    expect(line.periodStart).toBe(paidDay);
    expect(text).toContain(`Period:${line.periodStart}to${line.periodEnd}`);

    const [xml] = await pdfAttachments(pdf);
    expect(xml.name).toBe('factur-x.xml');
    const cii = xml.content.toString('utf8');
    await expectValidFacturX(cii);
    for (const m of [invoice.number, '<ram:TypeCode>380</ram:TypeCode>', seller.siren, frenchVatNumber(seller.siren), 'DE123456789', '<ram:ID>HRB12345</ram:ID>', '<ram:RateApplicablePercent>20', '12.00']) expect(cii, m).toContain(m);
    expect(cii.replace(/\s+/g, '')).toContain(`<ram:BilledQuantityunitCode="C62">1`.replace(/\s+/g, ''));

    // The seller refuses the line: the credit note references the invoice it corrects.
    await linesAwaitingValidation(sys.db, order);
    const refused = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${order.lines[0].lineId}/refuse`, { key: seller.key, body: { reason: 'Not in your country' } });
    expect(refused.status).toBe(200);
    const noteId = `credit:line:${order.lines[0].lineId}:refund`;
    await emailSent(sys.db, `line:${order.lines[0].lineId}:refunded`);
    const note = await sys.db.invoice.findUniqueOrThrow({ where: { id: noteId } });
    const notePdf = (await download(`/invoices/${encodeURIComponent(noteId)}/pdf`, order.customerApiKey)).bytes;
    const noteText = (await pdfText(notePdf)).replace(/\s+/g, '');
    expect(noteText).toContain(note.number);
    expect(noteText).toContain(invoice.number);
    const noteXml = (await pdfAttachments(notePdf))[0].content.toString('utf8');
    await expectValidFacturX(noteXml);
    expect(noteXml).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(noteXml).toMatch(new RegExp(`<ram:InvoiceReferencedDocument>\\s*<ram:IssuerAssignedID>${invoice.number}</ram:IssuerAssignedID>`));
  });

  it("INV-1: an individual customer's invoice has no business late-payment mentions", async () => {
    const seller = await freshSeller(sys.db);
    const order = await orderFrom(seller);
    const text = await pdfText((await download(`/invoices/${encodeURIComponent(checkoutInvoice(order.orderId, seller.sellerId))}/pdf`, order.customerApiKey)).bytes);
    expect(text).not.toContain('L441-10');
    expect(text).not.toContain('40.00 EUR');
  });

  it('INV-1: numbering under 50 concurrent issues and their retries stays gapless and chronological, one document per business key', async () => {
    const seller = await freshSeller(sys.db);
    const customerId = `cus_${randomUUID()}`;
    await sys.db.customer.create({ data: { id: customerId, email: `${customerId}@example.test`, name: 'Concurrent Buyer', type: 'business', address: '2 rue Concurrente, 75010 Paris', country: 'FR', vatNumber: 'FR12345678901' } });
    const base = Date.parse('2026-06-10T08:00:00Z');
    // Asked dates out of order (later payments issued first), each issue retried once at once.
    const inputs = Array.from({ length: 50 }, (_, i) => ({
      invoiceId: `test:${seller.sellerId}:${i}`,
      sellerId: seller.sellerId,
      customerId,
      currency: 'EUR',
      paymentId: `test-payment-${i}`,
      lines: [{ description: `Seats ${i}`, quantity: 1 + (i % 3), exclVatCents: 1000 * (1 + (i % 3)), vatRateBp: 2000 }],
      at: new Date(base + ((i * 7919) % 50) * 60_000).toISOString(),
    }));
    const results = await Promise.all([...inputs, ...inputs].map((input) => takeInvoice(sys.db, input)));
    const byKey = new Map<string, string>();
    for (const [i, r] of results.entries()) {
      const key = inputs[i % 50].invoiceId;
      if (byKey.has(key)) expect(r.number).toBe(byKey.get(key));
      byKey.set(key, r.number);
    }
    const issued = await sys.db.invoice.findMany({ where: { sellerId: seller.sellerId }, orderBy: { number: 'asc' } });
    expect(issued).toHaveLength(50);
    expect(issued.map((i) => Number(i.number.slice(-6)))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const dates = issued.map((i) => i.issuedAt.getTime());
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    // Each date is the one asked for, or its series' last date if that was later.
    for (const inv of issued) expect(inv.issuedAt.getTime()).toBeGreaterThanOrEqual(Date.parse(inputs.find((x) => x.invoiceId === inv.id)!.at));
    expect(await sys.db.documentFile.count({ where: { invoiceId: { in: issued.map((i) => i.id) }, format: 'pdf' } })).toBe(50);
    const frozen = issued[0].document as { lines: { quantity: number; unitExclVatCents: number }[] };
    expect(frozen.lines[0].quantity * frozen.lines[0].unitExclVatCents).toBe(JSON.parse(issued[0].lines)[0].exclVatCents);
  }, 120_000);

  it('INV-1, ORD-5: the purchase order is a document of each seller, numbered after the order, frozen, attached to the purchase-order e-mail and downloadable', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id, DEMO.offers.globexBackup.id] });
    const { received } = await emailSent(sys.db, `order:${order.orderId}:purchase-order`);
    const pos = await sys.db.invoice.findMany({ where: { orderId: order.orderId, kind: 'purchase_order' }, include: { files: true }, orderBy: { number: 'asc' } });
    expect(pos.map((p) => [p.number, p.sellerId])).toEqual([
      [`PO-${order.number}-1`, DEMO.sellers.acme.id],
      [`PO-${order.number}-2`, DEMO.sellers.globex.id],
    ]);
    for (const po of pos) expect(po.files.map((f) => f.format)).toEqual(['pdf']); // not an invoice: no Factur-X XML
    expect(received[0].attachments).toEqual(
      pos.map((p) => ({ filename: `PO-${order.number}-${p.number.slice(-1)}.pdf`, contentType: 'application/pdf', size: p.files[0].size, sha256: p.files[0].sha256 })),
    );
    const pdf = await download(`/invoices/${encodeURIComponent(pos[1].id)}/pdf`, order.customerApiKey);
    expect(sha(pdf.bytes)).toBe(pos[1].files[0].sha256);
    const text = (await pdfText(pdf.bytes)).replace(/\s+/g, '');
    for (const m of ['Purchase order', pos[1].number, order.number, DEMO.sellers.globex.legalName, DEMO.offers.globexBackup.name]) expect(text, m).toContain(m.replace(/\s+/g, ''));
    expect((await download(`/invoices/${encodeURIComponent(pos[1].id)}/xml`, order.customerApiKey)).status).toBe(404);
    // Globex's purchase order is Globex's, not Acme's.
    expect((await download(`/invoices/${encodeURIComponent(pos[1].id)}/pdf`, DEMO_KEYS.sellerGlobex)).status).toBe(200);
    expect((await download(`/invoices/${encodeURIComponent(pos[1].id)}/pdf`, DEMO_KEYS.sellerAcme)).status).toBe(403);
    const listed = await http(sys.apiUrl, 'GET', `/customers/${order.customerId}/invoices?kind=purchase_order`, { key: order.customerApiKey });
    expect(listed.body.items.map((i: { number: string; xml: string | null }) => [i.number, i.xml])).toEqual(expect.arrayContaining(pos.map((p) => [p.number, null])));
  });

  it("INV-1: finance exports a period's documents of one seller as a ZIP: every stored file under the seller's folder, and an index CSV with amounts and hashes", async () => {
    const seller = await freshSeller(sys.db);
    const a = await orderFrom(seller);
    const b = await orderFrom(seller, { type: 'business', vatNumber: 'BE0123456789' });
    await emailSent(sys.db, `order:${b.orderId}:purchase-order`);
    const docs = await sys.db.invoice.findMany({ where: { sellerId: seller.sellerId }, include: { files: true }, orderBy: [{ issuedAt: 'asc' }, { id: 'asc' }] });
    expect(docs.map((d) => d.kind).sort()).toEqual(['invoice', 'invoice', 'purchase_order', 'purchase_order']);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const from = day(new Date(Date.parse(a.paidAt) - 86_400_000));
    const to = day(new Date(Date.parse(b.paidAt) + 86_400_000));
    expect((await download(`/finance/documents.zip?from=${from}&to=${to}&sellerId=${seller.sellerId}`, seller.key)).status).toBe(403);
    const res = await download(`/finance/documents.zip?from=${from}&to=${to}&sellerId=${seller.sellerId}`, DEMO_KEYS.finance);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const entries = await unzip(res.bytes);
    const index = entries.get('index.csv')!.toString('utf8').trim().split('\r\n');
    expect(index[0]).toBe('number,kind,issuedAt,sellerId,customerId,orderId,correctsInvoiceId,currency,exclVat,vat,total,pdf,pdfSha256,xml,xmlSha256');
    expect(index.slice(1).map((row) => row.split(',')[0])).toEqual(docs.map((d) => d.number));
    for (const d of docs) {
      const row = index.find((r) => r.startsWith(`${d.number},`))!.split(',');
      expect(row.slice(1, 3)).toEqual([d.kind, d.issuedAt.toISOString()]);
      expect(row[10]).toBe((d.totalCents / 100).toFixed(2));
      for (const f of d.files) {
        const path = `${seller.sellerId}/${d.number}.${f.format}`;
        expect(row).toContain(path);
        expect(row).toContain(f.sha256);
        expect(sha(entries.get(path)!)).toBe(f.sha256);
      }
    }
    expect(entries.size).toBe(1 + docs.reduce((n, d) => n + d.files.length, 0));
  });
});
