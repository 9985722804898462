// The files e-mails carry, rendered at delivery from the frozen records they name (the outbox
// holds the name, never the bytes): the same record renders the same bytes as its download.
import { renderStatementPdf } from '../domain/payout-statement-pdf';
import { statementCsv, type StatementContent } from '../domain/payout-statement';
import type { Db } from '../infra/db';

/** A payout statement's PDF or CSV, from its frozen content (PYO-1). */
export async function statementFile(db: Pick<Db, 'payoutStatement'>, payoutId: string, format: 'pdf' | 'csv'): Promise<Buffer | null> {
  const s = await db.payoutStatement.findUnique({ where: { payoutId } });
  if (!s) return null;
  const content = s.content as unknown as StatementContent;
  return format === 'pdf' ? renderStatementPdf(content, s.createdAt) : Buffer.from(statementCsv(content), 'utf8');
}

export async function renderAttachment(db: Db, source: string): Promise<Buffer> {
  const m = /^payout-statement:(.+):(pdf|csv)$/.exec(source);
  if (!m) throw new Error(`no renderer for the attachment ${source}`);
  const bytes = await statementFile(db, m[1], m[2] as 'pdf' | 'csv');
  if (!bytes) throw new Error(`the attachment ${source} names no statement`);
  return bytes;
}
