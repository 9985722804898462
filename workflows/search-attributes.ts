// Custom search attributes that let staff filter processes in the Temporal Web UI
// (e.g. `Status = "overdue"`). Registered by the start command and the test servers.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const OrderIdKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const SellerIdKey = defineSearchAttributeKey('SellerId', SearchAttributeType.KEYWORD);
export const StatusKey = defineSearchAttributeKey('Status', SearchAttributeType.KEYWORD);
export const DueAtKey = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);

export const NextDueAtKey = defineSearchAttributeKey('NextDueAt', SearchAttributeType.DATETIME);

export const allSearchAttributes = [OrderIdKey, CustomerIdKey, SellerIdKey, StatusKey, DueAtKey, NextDueAtKey];
