/** The objects of the in-memory filesystem and their fattr3 view. */
import { Ftype3 } from '../../proto/nfs3/constants.js';
import type { Fattr3, SpecData3, WccAttr } from '../../proto/nfs3/types.js';
import { toNfsTime } from './clock.js';
import { FileData } from './data.js';
import { Directory } from './directory.js';

export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IXGRP = 0o010;
export const PERMISSION_BITS = 0o7777;

/** tmpfs's per-entry directory size, so a directory's size moves with its contents as on a Linux server. */
const DIRENT_SIZE = 20n;

export interface Owner {
  mode: number;
  uid: number;
  gid: number;
}

export abstract class Inode implements Owner {
  abstract readonly type: Ftype3;
  nlink = 1;
  atime: bigint;
  mtime: bigint;
  ctime: bigint;

  constructor(
    readonly fileid: bigint,
    public mode: number,
    public uid: number,
    public gid: number,
    now: bigint,
  ) {
    this.atime = this.mtime = this.ctime = now;
  }

  abstract get size(): bigint;

  get used(): bigint {
    return this.size;
  }

  get rdev(): SpecData3 {
    return { major: 0, minor: 0 };
  }

  /** Records a change of the object's contents. */
  modified(now: bigint): void {
    this.mtime = this.ctime = now;
  }
}

export class FileInode extends Inode {
  readonly type = Ftype3.REG;
  readonly data = new FileData();
  /** The EXCLUSIVE create verifier, kept until attributes are set, so a retransmitted CREATE is recognised. */
  createVerifier: Buffer | undefined;

  get size(): bigint {
    return BigInt(this.data.size);
  }

  override get used(): bigint {
    return BigInt(this.data.allocated);
  }
}

export class DirInode extends Inode {
  readonly type = Ftype3.DIR;
  readonly entries = new Directory<Inode>();
  /** ".."; the root is its own parent. */
  parent: DirInode = this;
  override nlink = 2;

  get size(): bigint {
    return (BigInt(this.entries.count) + 2n) * DIRENT_SIZE;
  }
}

export class LinkInode extends Inode {
  readonly type = Ftype3.LNK;

  constructor(fileid: bigint, uid: number, gid: number, now: bigint, readonly target: Buffer) {
    // Symlink permissions are never consulted; Linux reports 0777.
    super(fileid, 0o777, uid, gid, now);
  }

  get size(): bigint {
    return BigInt(this.target.length);
  }
}

export type SpecialType = Ftype3.FIFO | Ftype3.SOCK | Ftype3.CHR | Ftype3.BLK;

export class SpecialInode extends Inode {
  constructor(
    fileid: bigint,
    mode: number,
    uid: number,
    gid: number,
    now: bigint,
    readonly type: SpecialType,
    private readonly device: SpecData3,
  ) {
    super(fileid, mode, uid, gid, now);
  }

  get size(): bigint {
    return 0n;
  }

  override get rdev(): SpecData3 {
    return { ...this.device };
  }
}

export function attrsOf(node: Inode, fsid: bigint): Fattr3 {
  return {
    type: node.type,
    mode: node.mode,
    nlink: node.nlink,
    uid: node.uid,
    gid: node.gid,
    size: node.size,
    used: node.used,
    rdev: node.rdev,
    fsid,
    fileid: node.fileid,
    atime: toNfsTime(node.atime),
    mtime: toNfsTime(node.mtime),
    ctime: toNfsTime(node.ctime),
  };
}

export function wccAttrOf(node: Inode): WccAttr {
  return { size: node.size, mtime: toNfsTime(node.mtime), ctime: toNfsTime(node.ctime) };
}
