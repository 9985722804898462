// reads a workflow history as staff would through the codec server (every payload decoded)
// and finds secrets in it. A history in JSON (historyToJSON) holds payloads as
// { metadata: { encoding: base64 }, data: base64 }: each is decoded with the test keys, and the
// plain payloads' data (JSON) is what gets searched.
import type { Payload } from '@temporalio/common';
import { payloadCodecFromConfig } from '../../infra/payload-codec';
import { TEST_PAYLOAD_KEY_ID, TEST_PAYLOAD_KEYS } from './payload-keys';

const codec = payloadCodecFromConfig({ payloadKeys: TEST_PAYLOAD_KEYS, payloadKeyId: TEST_PAYLOAD_KEY_ID });

/** Secrets the recording scenarios use (test/record/): none may appear in a recorded history. */
export const RECORDED_SECRETS = {
  accessInstructions: 'login: buyer@example.test / password: Rec0rded-S3cret!',
};

/** Shapes of secrets whatever their value: gateway card tokens, card numbers, sign-in tokens. */
export const SECRET_PATTERNS: [string, RegExp][] = [
  ['card token', /\btok_[A-Za-z0-9_-]{16,}/],
  ['card number', /\b4[0-9]{15}\b/],
  ['customer key', /\bcust_[A-Za-z0-9_-]{24,}/],
  ['deletion code e-mail', /Confirmation code: /],
];

function isPayload(v: unknown): v is { metadata?: Record<string, string>; data?: string } {
  return !!v && typeof v === 'object' && 'metadata' in v && typeof (v as { metadata: unknown }).metadata === 'object' && (v as { metadata: Record<string, unknown> }).metadata?.encoding !== undefined;
}

/** Every payload of the history, decoded, as text (their data is JSON). */
export async function decodedPayloadTexts(history: unknown): Promise<string[]> {
  const found: { metadata?: Record<string, string>; data?: string }[] = [];
  const walk = (v: unknown): void => {
    if (isPayload(v)) found.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(history);
  const payloads: Payload[] = found.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, b64]) => [k, new Uint8Array(Buffer.from(b64, 'base64'))])),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  }));
  const decoded = await codec.decode(payloads);
  return decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
}

/** The secrets found in a history: pattern names, and any of `values` present. */
export async function secretsIn(history: unknown, values: string[] = []): Promise<string[]> {
  const texts = (await decodedPayloadTexts(history)).join('\n');
  // Failure messages and other plain fields are searched too (they are not payloads).
  const all = `${texts}\n${JSON.stringify(history)}`;
  return [
    ...SECRET_PATTERNS.filter(([, re]) => re.test(all)).map(([name]) => name),
    ...values.filter((v) => v && all.includes(v)).map((v) => `value ${v.slice(0, 6)}…`),
  ];
}
