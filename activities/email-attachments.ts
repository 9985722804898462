// The files e-mails carry, read at delivery from what they name (the outbox holds the name, never
// the bytes): an issued document's stored file (INV-1), or a payout statement rendered from its
// frozen record. Either way, the same bytes as its download.
import { renderStatementPdf } from '../domain/payout-statement-pdf';
import { statementCsv, type StatementContent } from '../domain/payout-statement';
import type { Db } from '../infra/db';
import { documentFile } from './document-files';

/** A payout statement's PDF or CSV, from its frozen content (PYO-1). */
export async function statementFile(db: Pick<Db, 'payoutStatement'>, payoutId: string, format: 'pdf' | 'csv'): Promise<Buffer | null> {
  const s = await db.payoutStatement.findUnique({ where: { payoutId } });
  if (!s) return null;
  const content = s.content as unknown as StatementContent;
  return format === 'pdf' ? renderStatementPdf(content, s.createdAt) : Buffer.from(statementCsv(content), 'utf8');
}

/** INV-1: an issued document's stored PDF, as an attachment named after its number. */
export function documentAttachment(doc: { invoiceId?: string; id?: string; number: string }): { filename: string; contentType: string; source: string } {
  return { filename: `${doc.number.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`, contentType: 'application/pdf', source: `document:${doc.invoiceId ?? doc.id}:pdf` };
}

export async function renderAttachment(db: Db, source: string): Promise<Buffer> {
  const d = /^document:(.+):pdf$/.exec(source);
  if (d) {
    const file = await documentFile(db, d[1], 'pdf');
    if (!file) throw new Error(`the attachment ${source} names no document`);
    return file.content;
  }
  const m = /^payout-statement:(.+):(pdf|csv)$/.exec(source);
  if (!m) throw new Error(`no renderer for the attachment ${source}`);
  const bytes = await statementFile(db, m[1], m[2] as 'pdf' | 'csv');
  if (!bytes) throw new Error(`the attachment ${source} names no statement`);
  return bytes;
}
