// Keyed hashes and comparisons of secrets: what the database keeps instead of a code or a token.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appSecret } from './app-secret';

/** HMAC-SHA256 of `value` under the app secret, for a purpose (domain separation), hex. */
export function keyedHash(purpose: string, value: string): string {
  return createHmac('sha256', appSecret()).update(`${purpose}\u0000${value}`).digest('hex');
}

/** Plain SHA-256 (hex): for random tokens of 192+ bits, where a key adds nothing. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
