/**
 * POSIX permission checks with the caller's credentials, following the Linux
 * kernel (and knfsd on top of it), so clients see what a kernel server shows.
 */
import type { Credentials } from '../backend.js';
import { NfsError } from '../errors.js';
import {
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
  Ftype3,
  NfsStat3,
} from '../../proto/nfs3/constants.js';
import { S_ISVTX, type Inode } from './nodes.js';

export const MAY_READ = 4;
export const MAY_WRITE = 2;
export const MAY_EXEC = 1;

export function inGroup(cred: Credentials, gid: number): boolean {
  return cred.gid === gid || cred.gids.includes(gid);
}

export function isRoot(cred: Credentials): boolean {
  return cred.uid === 0;
}

export function ownsOrRoot(node: Inode, cred: Credentials): boolean {
  return isRoot(cred) || cred.uid === node.uid;
}

/** Only the caller's class counts: an owner denied by the owner bits is denied even if "other" would allow. */
export function permits(node: Inode, cred: Credentials, may: number): boolean {
  if (isRoot(cred)) {
    // Root bypasses read/write checks, and may execute a file only if somebody may.
    return (may & MAY_EXEC) === 0 || node.type === Ftype3.DIR || (node.mode & 0o111) !== 0;
  }
  const shift = cred.uid === node.uid ? 6 : inGroup(cred, node.gid) ? 3 : 0;
  return ((node.mode >> shift) & may) === may;
}

export function requirePermission(node: Inode, cred: Credentials, may: number): void {
  if (!permits(node, cred, may)) throw new NfsError(NfsStat3.ACCES);
}

/**
 * For READ, WRITE and truncation the owner is always allowed, as knfsd does:
 * a client that opened a file it created with a read-only mode (open(2) with
 * O_CREAT|O_WRONLY, 0444) must still be able to write through that open.
 */
export function requireDataAccess(node: Inode, cred: Credentials, may: number): void {
  if (cred.uid !== node.uid) requirePermission(node, cred, may);
}

/** Changing entries of a directory needs write and search permission on it. */
export function requireDirChange(dir: Inode, cred: Credentials): void {
  requirePermission(dir, cred, MAY_WRITE | MAY_EXEC);
}

/** In a sticky directory only the owner of the entry, the owner of the directory, or root may remove or replace it. */
export function requireStickyOwner(dir: Inode, victim: Inode, cred: Credentials): void {
  if ((dir.mode & S_ISVTX) === 0 || isRoot(cred) || cred.uid === victim.uid || cred.uid === dir.uid) return;
  throw new NfsError(NfsStat3.PERM);
}

/** ACCESS3 bits and the permission each needs, per kind of object, as knfsd maps them. */
const ACCESS_MAP: Record<'dir' | 'file', readonly (readonly [number, number])[]> = {
  dir: [
    [ACCESS3_READ, MAY_READ],
    [ACCESS3_LOOKUP, MAY_EXEC],
    [ACCESS3_MODIFY, MAY_WRITE | MAY_EXEC],
    [ACCESS3_EXTEND, MAY_WRITE | MAY_EXEC],
    [ACCESS3_DELETE, MAY_WRITE | MAY_EXEC],
  ],
  file: [
    [ACCESS3_READ, MAY_READ],
    [ACCESS3_EXECUTE, MAY_EXEC],
    [ACCESS3_MODIFY, MAY_WRITE],
    [ACCESS3_EXTEND, MAY_WRITE],
  ],
};

/** The ACCESS3 bits of `mask` the caller holds. */
export function grantedAccess(node: Inode, cred: Credentials, mask: number): number {
  let granted = 0;
  for (const [bit, may] of ACCESS_MAP[node.type === Ftype3.DIR ? 'dir' : 'file']) {
    if (mask & bit && permits(node, cred, may)) granted |= bit;
  }
  return granted;
}
