/**
 * What /proc says about a server process: memory high-water marks and CPU
 * time per thread (a V8 CPU profile sees only the main thread, so the libuv
 * pool's share of the work has to come from here).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function statusKiB(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // the process is gone
  }
}

/** Keeps the highest RSS seen (sampled VmRSS, and the kernel's own VmHWM) of each watched process. */
export class PeakRss {
  private readonly peaks = new Map<string, number>();
  private readonly pids = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  watch(name: string, pid: number): void {
    this.pids.set(name, pid);
    this.timer ??= setInterval(() => this.sample(), 200);
  }

  sample(): void {
    for (const [name, pid] of this.pids) {
      const kib = Math.max(statusKiB(pid, 'VmRSS') ?? 0, statusKiB(pid, 'VmHWM') ?? 0);
      this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, kib));
    }
  }

  /** Peak in KiB, or undefined when never sampled. */
  peak(name: string): number | undefined {
    return this.peaks.get(name);
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** utime+stime in seconds of one /proc stat line, and the thread name in it. */
function parseStat(text: string): { comm: string; cpu: number } {
  // comm may contain spaces and parentheses: it ends at the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
  return { comm, cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK };
}

/** CPU seconds used so far by the whole process. */
export function processCpu(pid: number): number | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).cpu;
  } catch {
    return undefined;
  }
}

export type ThreadCpu = Map<number, { comm: string; cpu: number }>;

export function threadCpu(pid: number): ThreadCpu {
  const out: ThreadCpu = new Map();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.set(Number(tid), parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // the thread exited between the listing and the read
    }
  }
  return out;
}

/** CPU seconds per thread name between two snapshots, busiest first; the main thread is named "main". */
export function threadCpuDelta(pid: number, before: ThreadCpu, after: ThreadCpu): { group: string; cpu: number; threads: number }[] {
  const groups = new Map<string, { cpu: number; threads: number }>();
  for (const [tid, t] of after) {
    const used = t.cpu - (before.get(tid)?.cpu ?? 0);
    const group = tid === pid ? 'main' : t.comm;
    const g = groups.get(group) ?? { cpu: 0, threads: 0 };
    g.cpu += used;
    g.threads += 1;
    groups.set(group, g);
  }
  return [...groups].map(([group, g]) => ({ group, ...g })).sort((a, b) => b.cpu - a.cpu);
}
