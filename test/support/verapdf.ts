// PDF/A conformance by veraPDF (scripts/verapdf/PdfaCheck.java, installed by
// scripts/setup-verapdf.sh): the files are written to a temporary folder and validated in one JVM.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../infra/config';

export interface PdfaVerdict {
  compliant: boolean;
  failures: string[];
}

export async function validatePdfA(files: Buffer[], flavour = '3b'): Promise<PdfaVerdict[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pdfa-'));
  const paths = files.map((f, i) => {
    const p = path.join(dir, `${i}.pdf`);
    writeFileSync(p, f);
    return p;
  });
  const { stdout } = await promisify(execFile)('java', ['-cp', path.join(projectRoot, '.tools/verapdf/lib/*'), path.join(projectRoot, 'scripts/verapdf/PdfaCheck.java'), flavour, ...paths], { maxBuffer: 16 * 1024 * 1024 });
  const verdicts = new Map<string, PdfaVerdict>();
  let current: PdfaVerdict | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^(.+)\t(compliant|not compliant)$/.exec(line);
    if (head) verdicts.set(head[1], (current = { compliant: head[2] === 'compliant', failures: [] }));
    else if (line.startsWith('  ') && current) current.failures.push(line.trim());
  }
  return paths.map((p) => {
    const v = verdicts.get(p);
    if (!v) throw new Error(`veraPDF said nothing of ${p}:\n${stdout}`);
    return v;
  });
}
