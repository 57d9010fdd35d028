/**
 * What this process holds on a filesystem, as the kernel sees it: open
 * descriptors, the working directory and memory maps whose files live on the
 * device. This is the independent truth behind "the storage can be unmounted
 * now" — it does not trust the backend's own bookkeeping.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';

/** Linux's new_encode_dev(): how st_dev packs a major:minor pair. */
export function makeDev(major: number, minor: number): number {
  return (minor & 0xff) + (major & 0xfff) * 0x100 + (minor & ~0xff) * 0x1000 + Math.floor(major / 0x1000) * 0x1_0000_0000;
}

export interface Holder {
  kind: 'fd' | 'cwd' | 'map';
  /** The descriptor number, for kind 'fd'. */
  fd?: number;
  path: string;
}

async function devOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).dev;
  } catch {
    return undefined;
  }
}

async function linkText(path: string): Promise<string> {
  try {
    return await readlink(path);
  } catch {
    return '?';
  }
}

export async function holdersOn(dev: number): Promise<Holder[]> {
  const found: Holder[] = [];
  for (const name of await readdir('/proc/self/fd')) {
    const link = `/proc/self/fd/${name}`;
    if ((await devOf(link)) === dev) found.push({ kind: 'fd', fd: Number(name), path: await linkText(link) });
  }
  if ((await devOf('/proc/self/cwd')) === dev) found.push({ kind: 'cwd', path: await linkText('/proc/self/cwd') });
  const maps = await readFile('/proc/self/maps', 'utf8');
  const seen = new Set<string>();
  for (const line of maps.split('\n')) {
    // address perms offset dev inode path
    const m = /^\S+\s+\S+\s+\S+\s+([0-9a-f]+):([0-9a-f]+)\s+\d+\s+(.*)$/.exec(line);
    if (!m || makeDev(parseInt(m[1]!, 16), parseInt(m[2]!, 16)) !== dev) continue;
    const path = m[3]!.trim();
    if (!seen.has(path)) {
      seen.add(path);
      found.push({ kind: 'map', path });
    }
  }
  return found;
}
