// Custom search attributes that let staff filter processes in the Temporal Web UI (conventions:
// docs/temporal-ui.md), e.g. `BusinessStatus = "overdue"`, `OrderNumber = "O-2026-000042"`,
// `CustomerId = "cus_…"`. Registered by the start command, the cluster and the test servers
// (infra/dev-server.ts, infra/search-attributes-admin.ts). Plain text on the server (it indexes
// them): ids, numbers, statuses and dates only, never a name, an e-mail address or a secret.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const OrderIdKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
/** The order number customers and staff quote (O-2026-000042): on the Order, its lines and subscriptions. */
export const OrderNumberKey = defineSearchAttributeKey('OrderNumber', SearchAttributeType.KEYWORD);
/** The account's id (never its e-mail): on every process of a customer. */
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const SellerIdKey = defineSearchAttributeKey('SellerId', SearchAttributeType.KEYWORD);
/**
 * The process's business state (awaiting_validation, overdue, past_due, …). Not `Status`: the UI
 * and the visibility store read a bare `Status` as Temporal's own execution status.
 */
export const BusinessStatusKey = defineSearchAttributeKey('BusinessStatus', SearchAttributeType.KEYWORD);
export const DueAtKey = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);

export const NextDueAtKey = defineSearchAttributeKey('NextDueAt', SearchAttributeType.DATETIME);
/** A support ticket's id (tkt_…), on its Ticket workflow (DIA-8). */
export const TicketIdKey = defineSearchAttributeKey('TicketId', SearchAttributeType.KEYWORD);
/** A seller case's kind: closure (MED-1), closure_request (MED-6), complaint (MED-7). */
export const CaseKindKey = defineSearchAttributeKey('CaseKind', SearchAttributeType.KEYWORD);
/** incident | support (DIA-1, POL-5). */
export const TicketKindKey = defineSearchAttributeKey('TicketKind', SearchAttributeType.KEYWORD);

export const allSearchAttributes = [OrderIdKey, OrderNumberKey, CustomerIdKey, SellerIdKey, BusinessStatusKey, DueAtKey, NextDueAtKey, TicketIdKey, TicketKindKey, CaseKindKey];

/** Custom search attributes of earlier versions, removed where a server still has them. */
export const retiredSearchAttributes = ['Status'];
