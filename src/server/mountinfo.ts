/**
 * Which mount covers a path, from /proc/self/mountinfo. The mount id is new
 * for every mount, even of the same filesystem on the same device, so a
 * changed id is exact evidence that the filesystem under an export was
 * unmounted (or something was mounted over it), and reading it opens nothing
 * on the storage: safe to poll while the admin is unmounting.
 */
import { readFile } from 'node:fs/promises';
import { isWithin } from './mount-list.js';

export interface MountPoint {
  /** Unique per mount; reused only after that mount is gone. */
  id: number;
  point: string;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountPoint[] {
  const out: MountPoint[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mount-point options ...
    const f = line.split(' ');
    if (f.length < 5 || !/^\d+$/.test(f[0]!)) continue;
    out.push({ id: Number(f[0]), point: unescape(f[4]!) });
  }
  return out;
}

/** The mount a path is on: the deepest mount point above it, the last one mounted when stacked. */
export function coveringMount(mounts: readonly MountPoint[], path: string): MountPoint | undefined {
  let best: MountPoint | undefined;
  for (const m of mounts) {
    if (isWithin(path, m.point) && (!best || m.point.length >= best.point.length)) best = m;
  }
  return best;
}

export async function mountOf(path: string): Promise<MountPoint | undefined> {
  return coveringMount(parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8')), path);
}
