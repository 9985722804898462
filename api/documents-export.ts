// INV-1: a period's issued documents as one ZIP for finance (and the sellers' accountants): each
// document's stored PDF (and its Factur-X XML) under its seller's folder, and index.csv listing
// every document with its amounts and the SHA-256 of each file. Streamed: the list is read first
// (a few hundred bytes a document), then each file is read from the database only when the ZIP
// writer reaches it, so an export holds one file in memory at a time.
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { documentFile, storeDocumentFiles, type DocumentFormat } from '../activities/document-files';
import type { Db } from '../infra/db';
import { documentFileName } from './document-download';

const PAGE = 1_000;
export const DOCUMENT_INDEX_HEADER = ['number', 'kind', 'issuedAt', 'sellerId', 'customerId', 'orderId', 'correctsInvoiceId', 'currency', 'exclVat', 'vat', 'total', 'pdf', 'pdfSha256', 'xml', 'xmlSha256'];

interface Listed {
  id: string;
  number: string;
  kind: string;
  issuedAt: Date;
  sellerId: string;
  customerId: string;
  orderId: string | null;
  creditedInvoiceId: string | null;
  currency: string;
  exclVatCents: number;
  vatCents: number;
  totalCents: number;
  files: { format: string; sha256: string }[];
}

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const decimal = (c: number) => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
const folder = (sellerId: string) => sellerId.replace(/[^A-Za-z0-9._-]/g, '_');

/** The documents issued in [from, to), by issue date then id, optionally of one seller. */
async function listDocuments(db: Db, from: Date, to: Date, sellerId?: string): Promise<Listed[]> {
  const select = { id: true, number: true, kind: true, issuedAt: true, sellerId: true, customerId: true, orderId: true, creditedInvoiceId: true, currency: true, exclVatCents: true, vatCents: true, totalCents: true, files: { select: { format: true, sha256: true } } } as const;
  const out: Listed[] = [];
  let after: { issuedAt: Date; id: string } | null = null;
  for (;;) {
    const page: Listed[] = await db.invoice.findMany({
      where: { issuedAt: { gte: from, lt: to }, ...(sellerId ? { sellerId } : {}), ...(after ? { OR: [{ issuedAt: { gt: after.issuedAt } }, { issuedAt: after.issuedAt, id: { gt: after.id } }] } : {}) },
      orderBy: [{ issuedAt: 'asc' }, { id: 'asc' }],
      select,
      take: PAGE,
    });
    for (const d of page) {
      // Issued but its files not stored yet (a crash between the two): stored now, as a download would.
      if (d.files.length === 0) {
        await storeDocumentFiles(db, d.id);
        d.files = await db.documentFile.findMany({ where: { invoiceId: d.id }, select: { format: true, sha256: true } });
      }
    }
    out.push(...page);
    if (page.length < PAGE) return out;
    after = page[page.length - 1];
  }
}

/** A file read from the database when the ZIP writer asks for it. */
function lazyFile(db: Db, invoiceId: string, format: DocumentFormat): Readable {
  return Readable.from(
    (async function* () {
      const file = await documentFile(db, invoiceId, format);
      if (!file) throw new Error(`document ${invoiceId}: no ${format} file`);
      yield file.content;
    })(),
  );
}

export async function documentsZip(db: Db, from: Date, to: Date, sellerId?: string): Promise<{ zip: Readable; count: number }> {
  const docs = await listDocuments(db, from, to, sellerId);
  const zip = new ZipFile();
  const index = [DOCUMENT_INDEX_HEADER.join(',')];
  for (const d of docs) {
    const paths: Record<string, { path: string; sha256: string }> = {};
    for (const f of [...d.files].sort((a, b) => a.format.localeCompare(b.format))) {
      const path = `${folder(d.sellerId)}/${documentFileName(d.number, f.format as DocumentFormat)}`;
      // PDFs are compressed already; the date is the document's, so the archive says when each was issued.
      zip.addReadStream(lazyFile(db, d.id, f.format as DocumentFormat), path, { mtime: d.issuedAt, compress: f.format === 'xml' });
      paths[f.format] = { path, sha256: f.sha256 };
    }
    index.push(
      [d.number, d.kind, d.issuedAt.toISOString(), d.sellerId, d.customerId, d.orderId ?? '', d.creditedInvoiceId ?? '', d.currency, decimal(d.exclVatCents), decimal(d.vatCents), decimal(d.totalCents), paths.pdf?.path ?? '', paths.pdf?.sha256 ?? '', paths.xml?.path ?? '', paths.xml?.sha256 ?? '']
        .map(cell)
        .join(','),
    );
  }
  zip.addBuffer(Buffer.from(index.join('\r\n') + '\r\n', 'utf8'), 'index.csv', { mtime: to });
  zip.end();
  return { zip: Readable.from(zip.outputStream), count: docs.length };
}
