// INV-1: issued documents as their stored files: the PDF (a Factur-X PDF/A-3 for invoices and
// credit notes; purchase orders too), the CII XML alone, and finance's ZIP of a period. X-6: a
// document is its customer's and its seller's; finance sees all. Not ops (orders and lines are
// their work, not documents), nor support, who lists a customer's invoices to answer it but
// leaves the documents to the customer and finance.
import { DateTime } from 'luxon';
import { businessTimeZone } from '../../domain/time-format';
import { allow, type Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { documentDownload } from '../document-download';
import { customerMayReadInvoice } from '../partner-access';
import { documentsZip } from '../documents-export';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

const documentParams = z.object({ invoiceId: z.string().min(1).max(300) });
const day = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });

export function registerDocumentRoutes(routes: RouteTable, deps: ApiDeps): void {
  const readable = async (principal: Principal, invoiceId: string) => {
    const inv = await deps.db.invoice.findUnique({ where: { id: invoiceId }, select: { id: true, number: true, customerId: true, sellerId: true, partnerId: true } });
    if (!inv) throw Problem.notFound(`no document ${invoiceId}`);
    // PRT-5: a document its partner paid is in the partner's organisation: the partner's to read, not the customer's.
    if (principal.kind === 'customer' && !(await customerMayReadInvoice(deps.db, principal.customerId, inv))) throw Problem.forbidden('this document is not yours');
    if (principal.kind === 'seller' && principal.sellerId !== inv.sellerId) throw Problem.forbidden('this document was not issued in your name');
    return inv;
  };

  const files = [
    {
      format: 'pdf',
      summary: 'An invoice, credit note or purchase order as the PDF stored at issue (INV-1; invoices and credit notes are Factur-X EN 16931)',
      response: { description: 'The document, byte for byte as issued (Digest: its SHA-256)', contentType: 'application/pdf' },
    },
    {
      format: 'xml',
      summary: 'The Factur-X (CII, EN 16931) XML of an invoice or credit note, as embedded in its PDF (INV-1)',
      response: { description: 'The CII XML, byte for byte as issued (Digest: its SHA-256)', contentType: 'application/xml' },
    },
  ] as const;
  for (const f of files) {
    routes.add({
      method: 'get',
      path: `/invoices/:invoiceId/${f.format}`,
      tag: 'invoices',
      summary: `${f.summary}: its customer, the seller in whose name it was issued, or finance staff`,
      allow: allow.anyOf(allow.customer, allow.seller, allow.staff('finance')),
      params: documentParams,
      responses: { 200: f.response },
      handler: async ({ principal, params }) => documentDownload(deps.db, await readable(principal, params.invoiceId), f.format),
    });
  }

  routes.add({
    method: 'get',
    path: '/finance/documents.zip',
    tag: 'invoices',
    summary: "The documents issued from `from` to `to` (days in the business time zone, both included) as a ZIP, optionally one seller's: each stored PDF and XML under its seller's folder, and index.csv with amounts and SHA-256 (INV-1)",
    allow: allow.staff('finance'),
    query: z
      .strictObject({ from: day, to: day, sellerId: z.string().min(1).max(100).optional() })
      .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })
      .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { path: ['to'], message: 'at most one year after from' }),
    responses: { 200: { description: 'The ZIP (streamed)', contentType: 'application/zip' } },
    handler: async ({ query }) => {
      const { from, to } = dayRange(query.from, query.to);
      const { zip } = await documentsZip(deps.db, from, to, query.sellerId);
      return {
        status: 200,
        body: zip,
        contentType: 'application/zip',
        headers: { 'content-disposition': `attachment; filename="documents-${query.from}-${query.to}${query.sellerId ? `-${query.sellerId.replace(/[^A-Za-z0-9._-]/g, '_')}` : ''}.zip"` },
      };
    },
  });
}

/** [start of `from`, start of the day after `to`) in the business time zone. */
function dayRange(from: string, to: string): { from: Date; to: Date } {
  const zone = businessTimeZone();
  return {
    from: DateTime.fromISO(from, { zone }).startOf('day').toJSDate(),
    to: DateTime.fromISO(to, { zone }).plus({ days: 1 }).startOf('day').toJSDate(),
  };
}
