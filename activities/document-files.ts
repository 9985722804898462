// INV-1: the files of an issued document, rendered once from its frozen record and stored with
// their SHA-256; every download and e-mail attachment returns those stored bytes. Rendering runs
// after the issuing transaction (a PDF takes tens of milliseconds: the series' counter row stays
// locked for the number only), and whoever finds the files missing (the issuing activity's
// retry, or a download after a crash in between) renders and stores them: the first write wins.
import { createHash } from 'node:crypto';
import { renderDocumentPdf } from '../domain/document-pdf';
import { facturXml } from '../domain/factur-x-xml';
import type { IssuedDocument } from '../domain/issued-document';
import type { Db } from '../infra/db';

export type DocumentFormat = 'pdf' | 'xml';

export interface StoredDocumentFile {
  format: DocumentFormat;
  contentType: string;
  content: Buffer;
  sha256: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The files of one document: the PDF (a Factur-X PDF/A-3 for invoices and credit notes) and its CII XML. */
export async function renderDocumentFiles(doc: IssuedDocument): Promise<StoredDocumentFile[]> {
  const xml = doc.kind === 'purchase_order' ? null : Buffer.from(facturXml(doc), 'utf8');
  const pdf = await renderDocumentPdf(doc, xml?.toString('utf8'));
  const files: StoredDocumentFile[] = [{ format: 'pdf', contentType: 'application/pdf', content: pdf, sha256: sha256(pdf) }];
  if (xml) files.push({ format: 'xml', contentType: 'application/xml', content: xml, sha256: sha256(xml) });
  return files;
}

/** Renders and stores the files of an issued document if they are not stored yet (idempotent). */
export async function storeDocumentFiles(db: Db, invoiceId: string): Promise<void> {
  const stored = await db.documentFile.count({ where: { invoiceId } });
  if (stored > 0) return;
  const inv = await db.invoice.findUniqueOrThrow({ where: { id: invoiceId }, select: { document: true } });
  if (!inv.document) throw new Error(`document ${invoiceId} was issued without its frozen record`);
  const files = await renderDocumentFiles(inv.document as unknown as IssuedDocument);
  // One statement for all formats: the files of a document are stored together or not at all.
  await db.documentFile.createMany({
    data: files.map((f) => ({ invoiceId, format: f.format, contentType: f.contentType, content: new Uint8Array(f.content), sha256: f.sha256, size: f.content.length })),
    skipDuplicates: true,
  });
}

/** The stored file of a document (rendered and stored first if missing); null: no such document. */
export async function documentFile(db: Db, invoiceId: string, format: DocumentFormat): Promise<StoredDocumentFile | null> {
  const read = () => db.documentFile.findUnique({ where: { invoiceId_format: { invoiceId, format } } });
  let file = await read();
  if (!file) {
    const inv = await db.invoice.findUnique({ where: { id: invoiceId }, select: { document: true } });
    if (!inv?.document) return null;
    await storeDocumentFiles(db, invoiceId);
    file = await read();
    if (!file) return null; // a purchase order has no XML
  }
  return { format, contentType: file.contentType, content: Buffer.from(file.content), sha256: file.sha256 };
}
