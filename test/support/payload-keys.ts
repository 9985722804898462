// X-7: the one fixed payload key set of the test suite, the benchmarks and `npm run
// record-histories`: recorded histories (test/histories/) encrypted under these keys replay in
// test/replay.test.ts. `test-2026-a` encrypts; `test-2025-z` is a retired key that still decrypts
// (a rotation). Test keys only: never used outside tests and benchmarks. Free of vitest.
import type { DataConverter } from '@temporalio/common';
import { dataConverterFromEnv } from '../../infra/payload-codec';

export const TEST_PAYLOAD_KEY_ID = 'test-2026-a';
export const TEST_OLD_PAYLOAD_KEY_ID = 'test-2025-z';

/** sha256 of "marketplace fixed test payload key <kid>", base64. */
export const TEST_PAYLOAD_KEYS = `${TEST_PAYLOAD_KEY_ID}:rec9BNRqiWfpgh/EVuLkpvPd8g0N0BN942v/HFA7Fnk=,${TEST_OLD_PAYLOAD_KEY_ID}:G3bvuJHAOCaDWWrI3MUugehPXQ8OvTqE6/jst+bUES0=`;

/** What a worker or API process started by a test or benchmark gets in its environment. */
export const testPayloadEnv = { PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, PAYLOAD_KEY_ID: TEST_PAYLOAD_KEY_ID } as const;

let converter: DataConverter | undefined;
/** The data converter of every test client, worker and replay. */
export function testDataConverter(): DataConverter {
  converter ??= dataConverterFromEnv(testPayloadEnv);
  return converter;
}
