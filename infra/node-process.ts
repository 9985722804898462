// A Node entry point (worker/main.ts, api/main.ts, ...) in its own OS process, so that it can be
// SIGKILLed like a crashed machine (and its memory sampled by the benchmark).
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { projectRoot } from './config';

export interface NodeProcess {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnNodeProcess(opts: {
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Text the process prints once it is ready. */
  readyText: string;
  readyTimeoutMs?: number;
  /** Also appended to this file, for a look after the run. */
  logFile?: string;
}): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', opts.entry], {
    cwd: projectRoot,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the parent, even when it stops without cleaning up.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  let output = '';
  const collect = (d: Buffer) => {
    output += d;
    if (opts.logFile) appendFileSync(opts.logFile, d);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
  while (!output.includes(opts.readyText)) {
    if (child.exitCode !== null) throw new Error(`${opts.entry} exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${opts.entry} did not get ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    output: () => output,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
