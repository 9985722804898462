// PDF/A conformance by veraPDF (scripts/verapdf/PdfaCheck.java, installed by
// scripts/setup-verapdf.sh, which scripts/test.sh runs): the files are written to a temporary
// folder and validated in one JVM (its start and the rules' loading are most of the time).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../infra/config';

export interface PdfaVerdict {
  compliant: boolean;
  failures: string[];
}

const LIB = path.join(projectRoot, '.tools/verapdf/lib');

/** veraPDF's libraries are installed and a JDK runs them. */
export function verapdfAvailable(): boolean {
  return existsSync(LIB) && spawnSync('java', ['-version']).status === 0;
}

/** One verdict per file, in order. Throws when veraPDF is not installed: a missing validator is no pass. */
export async function validatePdfA(files: Buffer[], flavour = '3b'): Promise<PdfaVerdict[]> {
  if (!verapdfAvailable()) throw new Error('veraPDF is not installed (or no java on PATH): run bash scripts/setup-verapdf.sh');
  const dir = mkdtempSync(path.join(tmpdir(), 'pdfa-'));
  try {
    const paths = files.map((f, i) => {
      const p = path.join(dir, `${i}.pdf`);
      writeFileSync(p, f);
      return p;
    });
    const { stdout } = await promisify(execFile)('java', ['-cp', path.join(LIB, '*'), path.join(projectRoot, 'scripts/verapdf/PdfaCheck.java'), flavour, ...paths], { maxBuffer: 16 * 1024 * 1024 });
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
