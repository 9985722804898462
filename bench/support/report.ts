// A benchmark's end: print its report, write it to bench/results/<name>-<date>.json, and exit 1 if
// it found any violation (a benchmark that breaks a rule is a failed run, whatever its speed).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeBenchReport(name: string, report: { violations: string[] }): void {
  console.log(JSON.stringify(report, null, 2));
  const dir = path.join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), file)}`);
  if (report.violations.length > 0) {
    console.log(`\n${report.violations.length} VIOLATIONS:\n${report.violations.slice(0, 50).join('\n')}`);
    process.exit(1);
  }
}
