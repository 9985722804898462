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

/**
 * PDF/A-3's associated files: the /AFRelationship of each file spec the catalog's /AF array
 * lists, by file name. pdf.js reads neither, so this reads the file's plain-text objects, as
 * pdfkit writes them (no object streams, literal ASCII names).
 */
function associatedFiles(pdf: Buffer): Map<string, string> {
  const text = pdf.toString('latin1');
  const object = (ref: string) => new RegExp(`(?:^|\\n)${ref} obj\\n<<([\\s\\S]*?)>>\\nendobj`).exec(text)?.[1] ?? '';
  const catalog = /\n\d+ 0 obj\n<<\n\/Type \/Catalog\n([\s\S]*?)>>\nendobj/.exec(text)?.[1] ?? '';
  const refs = /\/AF \[([^\]]*)\]/.exec(catalog)?.[1].match(/\d+ \d+(?= R)/g) ?? [];
  const out = new Map<string, string>();
  for (const ref of refs) {
    const spec = object(ref);
    const name = /\/UF \(([^)]*)\)/.exec(spec)?.[1];
    const relationship = /\/AFRelationship \/(\w+)/.exec(spec)?.[1];
    if (name && relationship) out.set(name, relationship);
  }
  return out;
}

/** The embedded files; `relationship` only for the files the catalog lists as associated (/AF). */
export async function pdfAttachments(pdf: Buffer): Promise<{ name: string; content: Buffer; relationship?: string }[]> {
  const associated = associatedFiles(pdf);
  const doc = await open(pdf);
  try {
    const files = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>;
    return Object.values(files).map((f) => ({ name: f.filename, content: Buffer.from(f.content), ...(associated.has(f.filename) ? { relationship: associated.get(f.filename) } : {}) }));
  } finally {
    await doc.destroy();
  }
}
