/**
 * What this process holds open on an export: go-nfs's guard against the bug
 * our mission forbids. A descriptor counts when its /proc/self/fd link is
 * under the path, or, when the path is a mount point, when it is on that
 * filesystem at all (a file opened by handle may be disconnected, and its
 * link then shows no path).
 */
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export function descriptorsUnder(path: string): string[] {
  const dev = statSync(path).dev;
  const isMountRoot = statSync(dirname(path)).dev !== dev;
  const held: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let link: string;
    let fdDev: number;
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`);
      fdDev = statSync(`/proc/self/fd/${fd}`).dev;
    } catch {
      continue; // closed meanwhile (the readdir's own descriptor), or not a file
    }
    if (link === path || link.startsWith(path + '/') || (isMountRoot && fdDev === dev)) held.push(`fd ${fd} -> ${link}`);
  }
  return held;
}

export function assertNothingHeld(path: string, when = 'now'): void {
  assert.deepEqual(descriptorsUnder(path), [], `descriptors still open on ${path} ${when}`);
}
