/**
 * Self time of a V8 `.cpuprofile` (what `node --cpu-prof` writes), by
 * function and by source file.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  label: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

/** V8's pseudo-frames: time not spent in any JavaScript function. */
const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function fileOf(url: string, repo: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return path.startsWith(`${repo}/`) ? path.slice(repo.length + 1) : path;
}

function top(map: Map<string, number>, busyMs: number, n: number): SelfTime[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([label, us]) => ({ label, ms: us / 1000, share: busyMs > 0 ? us / 1000 / busyMs : 0 }));
}

/** `repo` is stripped from file paths so they read as repository paths (dist/src/...). */
export function summarizeProfile(file: string, repo: string, n = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    const pseudo = PSEUDO.has(frame.functionName);
    const where = pseudo ? '' : fileOf(frame.url, repo);
    const label = pseudo ? frame.functionName : `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    byFunction.set(label, (byFunction.get(label) ?? 0) + us);
    const fileKey = pseudo ? frame.functionName : where;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  });
  const busyMs = (totalUs - idleUs) / 1000;
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs,
    functions: top(byFunction, busyMs, n),
    files: top(byFile, busyMs, n),
  };
}
