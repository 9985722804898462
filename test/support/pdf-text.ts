// Reads a PDF back as a reader would (pdf.js, Mozilla's renderer): the text of every page, one
// text line per line, and the embedded files, so tests check what a document says rather than
// what the code meant to write.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

async function open(pdf: Buffer) {
  return getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
}

export async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await open(pdf);
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : '')).join(''));
    }
    return pages.join('\n');
  } finally {
    await doc.destroy();
  }
}

export async function pdfAttachments(pdf: Buffer): Promise<{ name: string; content: Buffer }[]> {
  const doc = await open(pdf);
  try {
    const files = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>;
    return Object.values(files).map((f) => ({ name: f.filename, content: Buffer.from(f.content) }));
  } finally {
    await doc.destroy();
  }
}
