// CPU time that processes spent during a benchmark phase, from /proc (utime + stime, plus the
// time of children they have waited for: PostgreSQL's backends are children of its postmaster).
// On 2 cores shared by every process, where the CPU goes is where the throughput goes.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function stat(pid: number): { ppid: number; ticks: number; childTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU ticks of a process and of its live and reaped descendants. */
function treeTicks(pid: number): number {
  // This process is the parent of every other one: its own time only.
  if (pid === process.pid) {
    const own = stat(pid);
    return own ? own.ticks : 0;
  }
  const own = stat(pid);
  if (!own) return 0;
  let total = own.ticks + own.childTicks;
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child) || child === pid) continue;
    const s = stat(child);
    if (s?.ppid === pid) total += treeTicks(child);
  }
  return total;
}

/** Starts counting; `stop()` gives the CPU seconds each named process tree used since. */
export function countCpu(pids: Record<string, number | undefined>): { stop(): Record<string, number> } {
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid ? treeTicks(pid) : 0]));
  return {
    stop() {
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [name, pid ? Math.round(((treeTicks(pid) - start[name]) / TICKS_PER_SECOND) * 10) / 10 : 0]),
      );
    },
  };
}
