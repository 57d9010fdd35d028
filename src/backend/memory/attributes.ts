/**
 * SETATTR as Linux decides it: who may change which attribute, and what a
 * change does besides (set-id bits disarmed, times moved). Checking and
 * applying are separate so that a refused call, or a refused CREATE with
 * initial attributes, changes nothing.
 */
import type { Credentials } from '../backend.js';
import { NfsError } from '../errors.js';
import { NfsStat3, TimeHow } from '../../proto/nfs3/constants.js';
import type { Sattr3, SetTime } from '../../proto/nfs3/types.js';
import { fromNfsTime } from './clock.js';
import { DirInode, FileInode, PERMISSION_BITS, S_ISGID, S_ISUID, S_IXGRP, type Inode } from './nodes.js';
import { inGroup, isRoot, MAY_WRITE, ownsOrRoot, requireDataAccess, requirePermission } from './permissions.js';

/** Offsets stay exact as JavaScript numbers up to here. */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;

/** A bigint offset as a number, or FBIG when no file here can reach it. */
export function fileOffset(offset: bigint, length: number): number {
  if (offset + BigInt(length) > BigInt(MAX_FILE_SIZE)) throw new NfsError(NfsStat3.FBIG);
  return Number(offset);
}

function timeValue(t: SetTime, now: bigint): bigint {
  return t.how === TimeHow.SET_TO_CLIENT_TIME ? fromNfsTime(t.time) : now;
}

export function hasAttrs(attrs: Sattr3): boolean {
  return Object.values(attrs).some((v) => v !== undefined);
}

export function checkAttrs(node: Inode, attrs: Sattr3, cred: Credentials): void {
  const { mode, uid, gid, size, atime, mtime } = attrs;
  const root = isRoot(cred);
  const owner = cred.uid === node.uid;
  if (mode !== undefined && !ownsOrRoot(node, cred)) throw new NfsError(NfsStat3.PERM);
  if (uid !== undefined && !root && !(owner && uid === node.uid)) throw new NfsError(NfsStat3.PERM);
  if (gid !== undefined && !root && !(owner && (gid === node.gid || inGroup(cred, gid)))) throw new NfsError(NfsStat3.PERM);
  if (size !== undefined) {
    if (!(node instanceof FileInode)) throw new NfsError(node instanceof DirInode ? NfsStat3.ISDIR : NfsStat3.INVAL);
    fileOffset(size, 0);
    requireDataAccess(node, cred, MAY_WRITE);
  }
  for (const t of [atime, mtime]) {
    if (t?.how === TimeHow.SET_TO_CLIENT_TIME && t.time.nseconds >= 1_000_000_000) throw new NfsError(NfsStat3.INVAL);
    if (!t || ownsOrRoot(node, cred)) continue;
    // As utimensat(2): explicit times need ownership; "now" also suffices with write permission.
    if (t.how === TimeHow.SET_TO_CLIENT_TIME) throw new NfsError(NfsStat3.PERM);
    requirePermission(node, cred, MAY_WRITE);
  }
}

/** Applies attributes already passed by checkAttrs; returns the change in allocated data bytes. */
export function setAttrs(node: Inode, attrs: Sattr3, cred: Credentials, now: bigint): number {
  const { mode, uid, gid, size, atime, mtime } = attrs;
  let grown = 0;
  if (uid !== undefined || gid !== undefined) {
    if (uid !== undefined) node.uid = uid;
    if (gid !== undefined) node.gid = gid;
    // Like chown(2), a change of owner or group disarms set-id programs.
    if (!(node instanceof DirInode)) dropSetIdBits(node);
  }
  if (mode !== undefined) {
    let bits = mode & PERMISSION_BITS;
    if (!isRoot(cred) && !inGroup(cred, node.gid)) bits &= ~S_ISGID;
    node.mode = bits;
  }
  if (size !== undefined && node instanceof FileInode) {
    const target = Number(size);
    if (target !== node.data.size) {
      const allocated = node.data.allocated;
      node.data.truncate(target);
      grown = node.data.allocated - allocated;
      node.mtime = now;
    }
  }
  if (atime) node.atime = timeValue(atime, now);
  if (mtime) node.mtime = timeValue(mtime, now);
  node.ctime = now;
  if (node instanceof FileInode) node.createVerifier = undefined;
  return grown;
}

/** What Linux does on write or chown: clear set-user-id, and set-group-id when it marks an executable. */
export function dropSetIdBits(node: Inode): void {
  node.mode &= ~S_ISUID;
  if (node.mode & S_IXGRP) node.mode &= ~S_ISGID;
}
