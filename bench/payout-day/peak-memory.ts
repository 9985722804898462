// Peak memory of the worker processes through a payout day: each process's high-water mark
// (VmHWM, kept by the kernel since the process started, its workflow bundling included) and the
// largest resident set sampled (VmRSS). Processes come and go (a worker SIGKILLed and started
// again): each one is its own entry, "worker-1", then "worker-1 (restart 1)", read until it dies.
import { readFileSync } from 'node:fs';

export interface PeakMemory {
  vmHwmMiB: number;
  maxRssMiB: number;
}

function status(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) / 1024;
    const [hwm, rss] = [kb('VmHWM'), kb('VmRSS')];
    return Number.isFinite(hwm) && Number.isFinite(rss) ? { hwm, rss } : undefined;
  } catch {
    return undefined; // gone between listing and reading
  }
}

/** Samples every process `pids()` names (name → pid, read again at each sample). */
export function sampleWorkerMemory(pids: () => Record<string, number | undefined>, everyMs = 500): { sample(): void; stop(): Record<string, PeakMemory> } {
  const byPid = new Map<number, { name: string } & PeakMemory>();
  const restarts = new Map<string, number>();
  const sample = () => {
    for (const [role, pid] of Object.entries(pids())) {
      if (!pid) continue;
      const s = status(pid);
      if (!s) continue;
      let entry = byPid.get(pid);
      if (!entry) {
        const n = restarts.get(role);
        restarts.set(role, n === undefined ? 0 : n + 1);
        entry = { name: n === undefined ? role : `${role} (restart ${n + 1})`, vmHwmMiB: 0, maxRssMiB: 0 };
        byPid.set(pid, entry);
      }
      entry.vmHwmMiB = Math.max(entry.vmHwmMiB, s.hwm);
      entry.maxRssMiB = Math.max(entry.maxRssMiB, s.rss);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries([...byPid.values()].map((e) => [e.name, { vmHwmMiB: Math.round(e.vmHwmMiB), maxRssMiB: Math.round(e.maxRssMiB) }]));
    },
  };
}
