// every payload the app hands to Temporal (workflow and activity arguments and results,
// signals, updates, queries, memos, heartbeat details) is encrypted by this codec before it leaves
// the process, so Temporal's databases and its UI only ever hold ciphertext. AES-256-GCM under a
// key id, after temporalio/samples-typescript `encryption`: the whole Payload (its metadata too,
// e.g. `encoding: json/plain`) is serialised and encrypted; the encoded payload says only
// `encoding: binary/encrypted` and `encryption-key-id: <kid>`, and its data is
// iv (12 bytes) + ciphertext + GCM tag (16 bytes). The key id is bound to the ciphertext as
// additional authenticated data: editing it in a stored history fails authentication too.
//
// Runs where the SDK runs codecs, in the worker's main thread and in clients; never in the
// workflow sandbox (node:crypto). Search attributes are not payloads the codec sees: the server
// must index them, so they stay plain (ids and statuses only, workflows/search-attributes.ts).
//
// Keys: PAYLOAD_KEYS = `kid:base64-32-byte-key[,kid:key...]`, PAYLOAD_KEY_ID = the kid that
// encrypts (default: the first listed). Rotation: put the new key in the list and make it the
// current one; the old ones stay listed while histories encrypted under them are kept.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode, encode } from '@temporalio/common/lib/encoding';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A payload that cannot be decrypted: unknown key id, tampered, or malformed. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export interface PayloadKeyring {
  /** Every key that still decrypts, by key id. */
  keys: ReadonlyMap<string, Buffer>;
  /** The key id new payloads are encrypted under. */
  currentKeyId: string;
}

/**
 * Parses `kid:base64key[,kid:base64key...]` (whitespace and newlines also separate entries, so a
 * key file can hold one per line). Errors name the key id, never the key.
 */
export function parsePayloadKeys(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const entry of spec.split(/[,\s]+/).filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error('PAYLOAD_KEYS: each entry is "<key id>:<base64 32-byte key>"');
    const kid = entry.slice(0, colon);
    const b64 = entry.slice(colon + 1);
    if (!KEY_ID_PATTERN.test(kid)) throw new Error(`PAYLOAD_KEYS: key id "${kid}" must be letters, digits, ".", "_" or "-" (at most 64)`);
    if (keys.has(kid)) throw new Error(`PAYLOAD_KEYS: key id "${kid}" is listed twice`);
    const key = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/_-]+=*$/.test(b64) || key.length !== KEY_BYTES) {
      throw new Error(`PAYLOAD_KEYS: the key of "${kid}" must be ${KEY_BYTES} bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
    }
    keys.set(kid, key);
  }
  if (keys.size === 0) throw new Error('PAYLOAD_KEYS lists no key');
  return keys;
}

export interface PayloadKeyConfig {
  /** PAYLOAD_KEYS. */
  payloadKeys?: string;
  /** PAYLOAD_KEY_ID; unset or empty: the first key listed. */
  payloadKeyId?: string;
}

export function payloadKeyringFromConfig(config: PayloadKeyConfig): PayloadKeyring {
  if (!config.payloadKeys?.trim()) {
    throw new Error(
      'PAYLOAD_KEYS is not set: every Temporal payload is encrypted (README, "Payload encryption and the codec server"). ' +
        'Set PAYLOAD_KEYS=<key id>:<base64 32-byte key>[,<older key id>:<key>...]',
    );
  }
  const keys = parsePayloadKeys(config.payloadKeys);
  const currentKeyId = config.payloadKeyId || keys.keys().next().value!;
  if (!keys.has(currentKeyId)) throw new Error(`PAYLOAD_KEY_ID "${currentKeyId}" is not one of the key ids of PAYLOAD_KEYS (${[...keys.keys()].join(', ')})`);
  return { keys, currentKeyId };
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {
    if (!keyring.keys.has(keyring.currentKeyId)) throw new Error(`no key for the current key id "${keyring.currentKeyId}"`);
  }

  get currentKeyId(): string {
    return this.keyring.currentKeyId;
  }

  get keyIds(): string[] {
    return [...this.keyring.keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const kid = this.keyring.currentKeyId;
    const key = this.keyring.keys.get(kid)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(kid, 'utf8'));
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: encode(ENCRYPTED_ENCODING), [METADATA_ENCRYPTION_KEY_ID]: encode(kid) },
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const kidBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    const encodingBytes = payload.metadata?.[METADATA_ENCODING_KEY];
    const encrypted = encodingBytes !== undefined && encodingBytes !== null && decode(encodingBytes) === ENCRYPTED_ENCODING;
    // Not encrypted (a history recorded before encryption, a plain client): unchanged.
    if (!kidBytes && !encrypted) return payload;
    if (!kidBytes) throw new PayloadDecryptionError(`an ${ENCRYPTED_ENCODING} payload has no ${METADATA_ENCRYPTION_KEY_ID}`);
    const kid = decode(kidBytes);
    const key = this.keyring.keys.get(kid);
    if (!key) {
      throw new PayloadDecryptionError(`payload encrypted under key id "${kid}", which is not in PAYLOAD_KEYS (known: ${this.keyIds.join(', ')}); keep retired keys listed while their histories exist`);
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`payload encrypted under key id "${kid}" is truncated (${data.length} bytes)`);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(kid, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`payload encrypted under key id "${kid}" failed authentication: tampered, or not made with this key`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

export function payloadCodecFromConfig(config: PayloadKeyConfig): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(payloadKeyringFromConfig(config));
}

/** For `new Client`, `Worker.create`, `Worker.runReplayHistories` and TestWorkflowEnvironment's client. */
export function dataConverterFromConfig(config: PayloadKeyConfig): DataConverter {
  return { payloadCodecs: [payloadCodecFromConfig(config)] };
}

export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter {
  return dataConverterFromConfig({ payloadKeys: env.PAYLOAD_KEYS, payloadKeyId: env.PAYLOAD_KEY_ID });
}

/** A new `kid:base64key` entry (kid `<prefix>-<yyyymmdd>-<random>`). */
export function generatePayloadKey(prefix = 'local'): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `${prefix}-${day}-${randomBytes(3).toString('hex')}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * The embedded defaults' key set (`scripts/start.sh`, `npm run cluster`, when PAYLOAD_KEYS is
 * unset): read from `file`, or generated once into it (mode 0600). Returns the PAYLOAD_KEYS value.
 */
export function localPayloadKeys(file: string): string {
  try {
    writeFileSync(file, generatePayloadKey() + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const spec = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).join(',');
  parsePayloadKeys(spec); // fails here, naming the file's problem, rather than in the worker
  return spec;
}
