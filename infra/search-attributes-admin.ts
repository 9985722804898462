// Registers the custom search attributes on a server that lacks them (the time-skipping test
// server, an external cluster) and removes the retired ones (the custom `Status`, renamed
// `BusinessStatus`: a bare `Status` is Temporal's own execution status in the UI). The dev server
// gets the current ones from its start flags, and the retired ones removed here.
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { allSearchAttributes, retiredSearchAttributes } from '../workflows/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** The custom search attributes the server has; null where it cannot list them (the time-skipping server). */
async function customAttributes(connection: Connection, namespace: string): Promise<Set<string> | null> {
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(customAttributes ?? {}));
  } catch (err) {
    if ((err as { code?: number }).code === 12 /* UNIMPLEMENTED */) return null;
    throw err;
  }
}

export async function ensureSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  // Only the missing ones: a server may refuse a whole request naming one that exists. A server
  // that cannot list them (a fresh time-skipping server, with none) gets them all.
  const present = await customAttributes(connection, namespace);
  const missing = allSearchAttributes.filter((k) => !present?.has(k.name));
  if (missing.length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, TYPES[k.type]])) });
    } catch (err) {
      if (!/already exists/i.test((err as Error).message)) throw err;
    }
  }
  await removeRetiredSearchAttributes(connection, namespace);
}

/** Removes the retired custom search attributes a server still has (e.g. a dev server's file from before the rename). */
export async function removeRetiredSearchAttributes(connection: Connection, namespace = 'default'): Promise<string[]> {
  const present = await customAttributes(connection, namespace);
  const retired = retiredSearchAttributes.filter((name) => present?.has(name));
  if (retired.length === 0) return [];
  try {
    await connection.operatorService.removeSearchAttributes({ namespace, searchAttributes: retired });
  } catch (err) {
    // Removed meanwhile by another process starting on the same server.
    if (!/not found|does not exist|not exist/i.test((err as Error).message)) throw err;
  }
  return retired;
}
