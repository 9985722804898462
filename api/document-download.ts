// INV-1: an issued document as a download (the authenticated routes and the e-mail link): the
// bytes stored at issue, never a new rendering, under a file name made of its number, with the
// SHA-256 they were stored with (a seller's accountant can check a copy against it).
import { documentFile, type DocumentFormat } from '../activities/document-files';
import type { Db } from '../infra/db';
import { Problem } from './problem';

export function documentFileName(number: string, format: DocumentFormat): string {
  return `${number.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;
}

export async function documentDownload(db: Db, inv: { id: string; number: string }, format: DocumentFormat = 'pdf', headers: Record<string, string> = {}) {
  const file = await documentFile(db, inv.id, format);
  if (!file) throw Problem.notFound(format === 'xml' ? `document ${inv.number} has no Factur-X XML (a purchase order is not an invoice)` : `document ${inv.number} has no stored file`);
  return {
    status: 200,
    body: file.content,
    contentType: file.contentType,
    headers: { ...headers, 'content-disposition': `attachment; filename="${documentFileName(inv.number, format)}"`, digest: `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}` },
  };
}
