/**
 * The NFSv3 data types shared by many procedures (RFC 1813 section 2.5-2.6),
 * as TypeScript values. File names and paths are bytes (Buffer), as on the
 * wire and in the kernel: a name need not be valid UTF-8.
 */
import { Ftype3, TimeHow } from './constants.js';

export interface NfsTime3 {
  seconds: number;
  nseconds: number;
}

export interface SpecData3 {
  major: number;
  minor: number;
}

/** fattr3. Sizes and ids that may exceed 2^53 are bigints. */
export interface Fattr3 {
  type: Ftype3;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: bigint;
  used: bigint;
  rdev: SpecData3;
  fsid: bigint;
  fileid: bigint;
  atime: NfsTime3;
  mtime: NfsTime3;
  ctime: NfsTime3;
}

/** wcc_attr: the pre-operation subset. */
export interface WccAttr {
  size: bigint;
  mtime: NfsTime3;
  ctime: NfsTime3;
}

/** wcc_data: either side may be absent (pre_op_attr / post_op_attr). */
export interface WccData {
  before?: WccAttr;
  after?: Fattr3;
}

/** A time to set: absent means DONT_CHANGE. */
export type SetTime = { how: TimeHow.SET_TO_SERVER_TIME } | { how: TimeHow.SET_TO_CLIENT_TIME; time: NfsTime3 };

/** sattr3: each absent field is left unchanged. */
export interface Sattr3 {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: bigint;
  atime?: SetTime;
  mtime?: SetTime;
}

export type FileHandle = Buffer;
