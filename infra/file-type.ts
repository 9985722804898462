// What an uploaded file is, from its first bytes, never from its name or declared type (KYC-1).
// Magic bytes rather than the `file-type` package: its current versions are ESM-only and this
// project is CommonJS, and three formats need three signatures.
export type DocumentMime = 'application/pdf' | 'image/png' | 'image/jpeg';

const SIGNATURES: { mime: DocumentMime; bytes: number[] }[] = [
  { mime: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { mime: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
];

/** The accepted type the content is, or null (anything else: a ZIP, an HTML page, an executable). */
export function sniffDocument(bytes: Buffer): DocumentMime | null {
  for (const s of SIGNATURES) if (bytes.length >= s.bytes.length && s.bytes.every((b, i) => bytes[i] === b)) return s.mime;
  return null;
}
