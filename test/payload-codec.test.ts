// the payload codec (infra/payload-codec.ts): AES-256-GCM under a key id, key rotation, and
// refusals that name the key id.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/encoding';
import { describe, expect, it } from 'vitest';
import {
  ENCRYPTED_ENCODING,
  METADATA_ENCRYPTION_KEY_ID,
  PayloadDecryptionError,
  dataConverterFromEnv,
  localPayloadKeys,
  payloadCodecFromConfig,
} from '../infra/payload-codec';
import { TEST_OLD_PAYLOAD_KEY_ID, TEST_PAYLOAD_KEY_ID, TEST_PAYLOAD_KEYS, testPayloadEnv } from './support/payload-keys';

const secret = { email: 'jane.doe@example.test', cardHolder: 'Jane Doe', totalCents: 16787 };
const plainPayload = (): Payload => defaultPayloadConverter.toPayload(secret)!;
const current = () => payloadCodecFromConfig({ payloadKeys: TEST_PAYLOAD_KEYS, payloadKeyId: TEST_PAYLOAD_KEY_ID });
const text = (p: Payload) => Buffer.from(p.data!).toString('latin1') + Object.values(p.metadata ?? {}).map((v) => Buffer.from(v).toString('latin1')).join('');

describe('payload codec', () => {
  it('X-7: a payload round-trips through encode and decode, metadata included', async () => {
    const codec = current();
    const [encoded] = await codec.encode([plainPayload()]);
    const [decoded] = await codec.decode([encoded]);
    expect(decode(decoded.metadata!.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(secret);
  });

  it('X-7: the encoded payload holds no plaintext: metadata is the encoding and the key id only, data is iv + ciphertext + tag', async () => {
    const codec = current();
    const plain = plainPayload();
    const [a] = await codec.encode([plain]);
    const [b] = await codec.encode([plain]);
    expect(Object.keys(a.metadata!).sort()).toEqual(['encoding', METADATA_ENCRYPTION_KEY_ID]);
    expect(decode(a.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(decode(a.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe(TEST_PAYLOAD_KEY_ID);
    for (const needle of ['jane', 'Jane Doe', '16787', 'json/plain', 'email']) expect(text(a)).not.toContain(needle);
    // The whole serialised Payload is encrypted, plus 12 bytes of iv and 16 of tag.
    expect(a.data!.length).toBeGreaterThan(plain.data!.length + 12 + 16);
    // A fresh iv each time: the same value never gives the same bytes.
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('X-7: after a rotation (current key changed), a payload encrypted under the old key id still decrypts; new ones use the new key', async () => {
    const before = payloadCodecFromConfig({ payloadKeys: TEST_PAYLOAD_KEYS, payloadKeyId: TEST_OLD_PAYLOAD_KEY_ID });
    const [old] = await before.encode([plainPayload()]);
    expect(decode(old.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe(TEST_OLD_PAYLOAD_KEY_ID);

    const after = current();
    expect(after.currentKeyId).toBe(TEST_PAYLOAD_KEY_ID);
    expect(defaultPayloadConverter.fromPayload((await after.decode([old]))[0])).toEqual(secret);
    const [fresh] = await after.encode([plainPayload()]);
    expect(decode(fresh.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe(TEST_PAYLOAD_KEY_ID);
    // Default current key: the first listed.
    expect(payloadCodecFromConfig({ payloadKeys: TEST_PAYLOAD_KEYS }).currentKeyId).toBe(TEST_PAYLOAD_KEY_ID);
  });

  it('X-7: a tampered payload (ciphertext, tag, iv, or key id swapped) is refused, naming the key id', async () => {
    const codec = current();
    const [good] = await codec.encode([plainPayload()]);
    const flip = (at: number) => {
      const data = Buffer.from(good.data!);
      data[at] ^= 0x01;
      return { metadata: good.metadata, data };
    };
    for (const bad of [flip(20), flip(good.data!.length - 1), flip(0)]) {
      await expect(codec.decode([bad])).rejects.toThrow(PayloadDecryptionError);
      await expect(codec.decode([bad])).rejects.toThrow(`key id "${TEST_PAYLOAD_KEY_ID}" failed authentication`);
    }
    // The key id is authenticated too: relabelling a payload with the other known key fails.
    const relabelled = { data: good.data, metadata: { ...good.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from(TEST_OLD_PAYLOAD_KEY_ID) } };
    await expect(codec.decode([relabelled])).rejects.toThrow(`key id "${TEST_OLD_PAYLOAD_KEY_ID}" failed authentication`);
    const truncated = { metadata: good.metadata, data: good.data!.subarray(0, 20) };
    await expect(codec.decode([truncated])).rejects.toThrow('truncated');
    const noKeyId = { data: good.data, metadata: { encoding: good.metadata!.encoding } };
    await expect(codec.decode([noKeyId])).rejects.toThrow(`has no ${METADATA_ENCRYPTION_KEY_ID}`);
  });

  it('X-7: a payload under an unknown key id (a key dropped from PAYLOAD_KEYS) is refused, naming it', async () => {
    const [old] = await payloadCodecFromConfig({ payloadKeys: TEST_PAYLOAD_KEYS, payloadKeyId: TEST_OLD_PAYLOAD_KEY_ID }).encode([plainPayload()]);
    const onlyNew = payloadCodecFromConfig({ payloadKeys: TEST_PAYLOAD_KEYS.split(',')[0] });
    await expect(onlyNew.decode([old])).rejects.toThrow(`payload encrypted under key id "${TEST_OLD_PAYLOAD_KEY_ID}", which is not in PAYLOAD_KEYS (known: ${TEST_PAYLOAD_KEY_ID})`);
  });

  it('X-7: a payload that is not encrypted (a history from before encryption) passes through decode unchanged', async () => {
    const plain = plainPayload();
    const [out] = await current().decode([plain]);
    expect(out).toBe(plain);
    expect(defaultPayloadConverter.fromPayload(out)).toEqual(secret);
  });

  it('X-7: configuration errors are refused at start and never print a key', () => {
    expect(() => dataConverterFromEnv({})).toThrow('PAYLOAD_KEYS is not set');
    expect(() => dataConverterFromEnv({ PAYLOAD_KEYS: 'k1:c2hvcnQ=' })).toThrow('the key of "k1" must be 32 bytes');
    expect(() => dataConverterFromEnv({ PAYLOAD_KEYS: 'no-colon' })).toThrow('each entry is');
    expect(() => dataConverterFromEnv({ ...testPayloadEnv, PAYLOAD_KEY_ID: 'nope' })).toThrow(`PAYLOAD_KEY_ID "nope" is not one of the key ids of PAYLOAD_KEYS (${TEST_PAYLOAD_KEY_ID}, ${TEST_OLD_PAYLOAD_KEY_ID})`);
    const dup = `${TEST_PAYLOAD_KEYS},${TEST_PAYLOAD_KEYS.split(',')[0]}`;
    expect(() => dataConverterFromEnv({ PAYLOAD_KEYS: dup })).toThrow(`key id "${TEST_PAYLOAD_KEY_ID}" is listed twice`);
    try {
      dataConverterFromEnv({ PAYLOAD_KEYS: `${TEST_PAYLOAD_KEYS.split(',')[0]}xx` });
    } catch (err) {
      expect((err as Error).message).not.toContain(TEST_PAYLOAD_KEYS.split(',')[0].split(':')[1]);
    }
    expect(dataConverterFromEnv(testPayloadEnv).payloadCodecs).toHaveLength(1);
  });

  it('X-7: the embedded defaults generate a key once into their file (mode 0600) and reuse it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'payload-keys-'));
    try {
      const file = path.join(dir, 'payload-keys');
      const first = localPayloadKeys(file);
      expect(first).toMatch(/^local-\d{8}-[0-9a-f]{6}:[A-Za-z0-9+/]{43}=$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(localPayloadKeys(file)).toBe(first);
      expect(readFileSync(file, 'utf8').trim()).toBe(first);
      expect(payloadCodecFromConfig({ payloadKeys: first }).currentKeyId).toBe(first.split(':')[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
