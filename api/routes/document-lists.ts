// INV-1 documents listed from the Invoice table: a customer's invoices, credit notes and purchase orders (its own,
// or any customer's for finance and support staff), and those a seller issued. Each links
// to its PDF (GET /invoices/{invoiceId}/pdf).
import type { Invoice, Prisma } from '@prisma/client';
import { allow } from '../auth';
import { approvedPartnerOf } from '../partner-principal';
import type { ApiDeps } from '../deps';
import { afterCursor, listQuery, oneOf, pageOf, toPage, type CursorPosition } from '../pagination';
import { Problem } from '../problem';
import type { RouteTable } from '../route';
import { z } from '../zod';

const DOCUMENT_KINDS = ['invoice', 'credit_note', 'purchase_order'] as const;

export const documentItem = z
  .strictObject({
    invoiceId: z.string(),
    kind: z.string().openapi({ description: DOCUMENT_KINDS.join(' | ') }),
    number: z.string(),
    /** A credit note's: the invoice it corrects. */
    creditedInvoiceId: z.string().nullable(),
    sellerId: z.string(),
    customerId: z.string(),
    /** Null on a support invoice (DIA-4): the marketplace's own, for a ticket, unpaid when issued. */
    orderId: z.string().nullable(),
    paymentId: z.string().nullable(),
    ticketId: z.string().nullable(),
    dueAt: z.string().nullable(),
    currency: z.string(),
    exclVatCents: z.number().int(),
    vatCents: z.number().int(),
    totalCents: z.number().int(),
    issuedAt: z.string(),
    pdf: z.string(),
    /** The Factur-X XML (invoices and credit notes; null for a purchase order). */
    xml: z.string().nullable(),
  })
  .openapi('DocumentListItem');
export const documentPage = pageOf(documentItem).openapi('DocumentPage');

function view(i: Omit<Invoice, 'document'>): z.infer<typeof documentItem> {
  return {
    invoiceId: i.id,
    kind: i.kind,
    number: i.number,
    creditedInvoiceId: i.creditedInvoiceId,
    sellerId: i.sellerId,
    customerId: i.customerId,
    orderId: i.orderId,
    paymentId: i.paymentId,
    ticketId: i.ticketId,
    dueAt: i.dueAt?.toISOString() ?? null,
    currency: i.currency,
    exclVatCents: i.exclVatCents,
    vatCents: i.vatCents,
    totalCents: i.totalCents,
    issuedAt: i.issuedAt.toISOString(),
    pdf: `/invoices/${encodeURIComponent(i.id)}/pdf`,
    xml: i.kind === 'purchase_order' ? null : `/invoices/${encodeURIComponent(i.id)}/xml`,
  };
}

async function documentPageOf(deps: ApiDeps, list: string, owner: Prisma.InvoiceWhereInput, q: { kind?: string; limit: number; cursor?: CursorPosition }) {
  const rows = await deps.db.invoice.findMany({
    where: { AND: [owner, q.kind ? { kind: q.kind } : {}, afterCursor(q.cursor, 'issuedAt')] },
    orderBy: [{ issuedAt: 'desc' }, { id: 'desc' }],
    // The frozen record stays in the row: a list shows the columns, the files show the rest.
    omit: { document: true },
    take: q.limit + 1,
  });
  return toPage(list, rows, q.limit, (i) => ({ at: i.issuedAt, id: i.id }), view);
}

const ORDER = 'newest first (issued at, then id)';

export function registerDocumentListRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'get',
    path: '/customers/:customerId/invoices',
    tag: 'invoices',
    summary: `A customer's invoices, credit notes and purchase orders, ${ORDER}, filterable by kind (INV-1): the customer's own, or for finance and support staff`,
    allow: allow.anyOf(allow.customer, allow.staff('finance', 'support')),
    params: z.object({ customerId: z.string().regex(/^cus_[A-Za-z0-9_-]{1,80}$/, 'must be a cus_… id') }),
    query: listQuery('customer-documents', { kind: oneOf(DOCUMENT_KINDS) }),
    responses: { 200: { description: 'A page of documents', schema: documentPage } },
    handler: async ({ principal, params, query }) => {
      if (principal.kind === 'customer' && principal.customerId !== params.customerId) throw Problem.forbidden('these invoices are not yours');
      // PRT-5: what its partner paid lives in the partner's organisation, not in the customer's own list.
      const owner = principal.kind === 'customer' ? { customerId: params.customerId, partnerId: null } : { customerId: params.customerId };
      return { status: 200, body: await documentPageOf(deps, 'customer-documents', owner, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/partner/invoices',
    tag: 'partners',
    summary: `The invoices and credit notes of the orders the calling partner paid for its customers, in its organisation (PRT-5), ${ORDER}, filterable by kind`,
    allow: allow.customer,
    query: listQuery('partner-documents', { kind: oneOf(DOCUMENT_KINDS) }),
    responses: { 200: { description: 'A page of documents', schema: documentPage }, 403: { description: 'Not an approved partner (PRT-1)' } },
    handler: async ({ principal, query }) => {
      const partner = await approvedPartnerOf(deps.db, principal);
      return { status: 200, body: await documentPageOf(deps, 'partner-documents', { partnerId: partner.id }, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/seller/documents',
    tag: 'sellers',
    summary: `The invoices, credit notes and purchase orders issued in the calling seller's name, ${ORDER}, filterable by kind (INV-1, X-6)`,
    allow: allow.seller,
    query: listQuery('seller-documents', { kind: oneOf(DOCUMENT_KINDS) }),
    responses: { 200: { description: 'A page of documents', schema: documentPage } },
    handler: async ({ principal, query }) => {
      const sellerId = principal.kind === 'seller' ? principal.sellerId : '';
      return { status: 200, body: await documentPageOf(deps, 'seller-documents', { sellerId }, query) };
    },
  });
}
