// Registers the custom search attributes on a server that lacks them (the time-skipping test
// server, an external cluster). The dev server gets them from its start flags instead.
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { allSearchAttributes } from '../workflows/search-attributes';

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

export async function ensureSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  const searchAttributes = Object.fromEntries(allSearchAttributes.map((k) => [k.name, TYPES[k.type]]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
}
