/** NFSv3 attributes from the kernel's statx, as knfsd fills them. */
import { Ftype3 } from '../../proto/nfs3/constants.js';
import type { Fattr3, WccAttr, WccData } from '../../proto/nfs3/types.js';
import type { RawStat } from './native.js';

const S_IFMT = 0o170000;

const TYPES: ReadonlyMap<number, Ftype3> = new Map([
  [0o100000, Ftype3.REG],
  [0o040000, Ftype3.DIR],
  [0o060000, Ftype3.BLK],
  [0o020000, Ftype3.CHR],
  [0o120000, Ftype3.LNK],
  [0o140000, Ftype3.SOCK],
  [0o010000, Ftype3.FIFO],
]);

export function ftypeOf(s: RawStat): Ftype3 {
  const t = TYPES.get(s.mode & S_IFMT);
  if (t === undefined) throw new Error(`unknown file type in mode ${s.mode.toString(8)}`);
  return t;
}

/** `fsid` is the export's stable filesystem id (from statfs f_fsid, which ext4 derives from its UUID). */
export function toFattr(s: RawStat, fsid: bigint): Fattr3 {
  return {
    type: ftypeOf(s),
    mode: s.mode & 0o7777,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    used: s.blocks * 512n,
    rdev: { major: s.rdevMajor, minor: s.rdevMinor },
    fsid,
    fileid: s.ino,
    atime: s.atime,
    mtime: s.mtime,
    ctime: s.ctime,
  };
}

export function toWccAttr(s: RawStat): WccAttr {
  return { size: s.size, mtime: s.mtime, ctime: s.ctime };
}

export function toWcc(before: RawStat, after: RawStat, fsid: bigint): WccData {
  return { before: toWccAttr(before), after: toFattr(after, fsid) };
}
