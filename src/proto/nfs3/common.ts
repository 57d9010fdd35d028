/**
 * Codecs for the NFSv3 types shared across procedures (RFC 1813 section 2.5-2.6).
 * Every read bounds its lengths; every write is the exact inverse of its read.
 */
import { XdrError, XdrReader } from '../../xdr/reader.js';
import { XdrWriter } from '../../xdr/writer.js';
import { Ftype3, MAX_NAME_BYTES, MAX_PATH_BYTES, NFS3_FHSIZE, TimeHow } from './constants.js';
import type { Fattr3, FileHandle, NfsTime3, Sattr3, SetTime, SpecData3, WccAttr, WccData } from './types.js';

const FTYPES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7]);

export function readFh(r: XdrReader): FileHandle {
  return r.opaque(NFS3_FHSIZE);
}

export function writeFh(w: XdrWriter, fh: FileHandle): void {
  w.opaque(fh);
}

/** filename3: bytes, bounded; empty names are legal on the wire and rejected by handlers. */
export function readName(r: XdrReader): Buffer {
  return r.opaque(MAX_NAME_BYTES);
}

export function readPath(r: XdrReader): Buffer {
  return r.opaque(MAX_PATH_BYTES);
}

export function readTime(r: XdrReader): NfsTime3 {
  const seconds = r.u32();
  const nseconds = r.u32();
  return { seconds, nseconds };
}

export function writeTime(w: XdrWriter, t: NfsTime3): void {
  w.u32(t.seconds).u32(t.nseconds);
}

export function readSpecData(r: XdrReader): SpecData3 {
  const major = r.u32();
  const minor = r.u32();
  return { major, minor };
}

export function writeSpecData(w: XdrWriter, s: SpecData3): void {
  w.u32(s.major).u32(s.minor);
}

export function readFtype(r: XdrReader): Ftype3 {
  return r.enumOf<Ftype3>(FTYPES, 'ftype3');
}

export function readFattr(r: XdrReader): Fattr3 {
  return {
    type: readFtype(r),
    mode: r.u32(),
    nlink: r.u32(),
    uid: r.u32(),
    gid: r.u32(),
    size: r.u64(),
    used: r.u64(),
    rdev: readSpecData(r),
    fsid: r.u64(),
    fileid: r.u64(),
    atime: readTime(r),
    mtime: readTime(r),
    ctime: readTime(r),
  };
}

export function writeFattr(w: XdrWriter, a: Fattr3): void {
  w.u32(a.type).u32(a.mode).u32(a.nlink).u32(a.uid).u32(a.gid).u64(a.size).u64(a.used);
  writeSpecData(w, a.rdev);
  w.u64(a.fsid).u64(a.fileid);
  writeTime(w, a.atime);
  writeTime(w, a.mtime);
  writeTime(w, a.ctime);
}

export function readPostOpAttr(r: XdrReader): Fattr3 | undefined {
  return r.optional(readFattr);
}

export function writePostOpAttr(w: XdrWriter, a: Fattr3 | undefined): void {
  w.optional(a, writeFattr);
}

function readWccAttr(r: XdrReader): WccAttr {
  const size = r.u64();
  const mtime = readTime(r);
  const ctime = readTime(r);
  return { size, mtime, ctime };
}

function writeWccAttr(w: XdrWriter, a: WccAttr): void {
  w.u64(a.size);
  writeTime(w, a.mtime);
  writeTime(w, a.ctime);
}

export function readWcc(r: XdrReader): WccData {
  const before = r.optional(readWccAttr);
  const after = readPostOpAttr(r);
  return { before, after };
}

export function writeWcc(w: XdrWriter, wcc: WccData): void {
  w.optional(wcc.before, writeWccAttr);
  writePostOpAttr(w, wcc.after);
}

/** The pre-operation subset of full attributes. */
export function wccAttrOf(a: Fattr3): WccAttr {
  return { size: a.size, mtime: a.mtime, ctime: a.ctime };
}

export function readPostOpFh(r: XdrReader): FileHandle | undefined {
  return r.optional(readFh);
}

export function writePostOpFh(w: XdrWriter, fh: FileHandle | undefined): void {
  w.optional(fh, writeFh);
}

function readSetTime(r: XdrReader): SetTime | undefined {
  const how = r.u32();
  switch (how) {
    case TimeHow.DONT_CHANGE:
      return undefined;
    case TimeHow.SET_TO_SERVER_TIME:
      return { how };
    case TimeHow.SET_TO_CLIENT_TIME:
      return { how, time: readTime(r) };
    default:
      throw new XdrError(`bad time_how ${how}`);
  }
}

function writeSetTime(w: XdrWriter, t: SetTime | undefined): void {
  if (t === undefined) {
    w.u32(TimeHow.DONT_CHANGE);
  } else {
    w.u32(t.how);
    if (t.how === TimeHow.SET_TO_CLIENT_TIME) writeTime(w, t.time);
  }
}

export function readSattr(r: XdrReader): Sattr3 {
  const s: Sattr3 = {};
  if (r.bool()) s.mode = r.u32();
  if (r.bool()) s.uid = r.u32();
  if (r.bool()) s.gid = r.u32();
  if (r.bool()) s.size = r.u64();
  const atime = readSetTime(r);
  if (atime) s.atime = atime;
  const mtime = readSetTime(r);
  if (mtime) s.mtime = mtime;
  return s;
}

export function writeSattr(w: XdrWriter, s: Sattr3): void {
  w.optional(s.mode, (x, v) => x.u32(v));
  w.optional(s.uid, (x, v) => x.u32(v));
  w.optional(s.gid, (x, v) => x.u32(v));
  w.optional(s.size, (x, v) => x.u64(v));
  writeSetTime(w, s.atime);
  writeSetTime(w, s.mtime);
}

/** diropargs3: a directory handle and a name in it. */
export interface DirOpArgs {
  dir: FileHandle;
  name: Buffer;
}

export function readDirOpArgs(r: XdrReader): DirOpArgs {
  const dir = readFh(r);
  const name = readName(r);
  return { dir, name };
}

export function writeDirOpArgs(w: XdrWriter, a: DirOpArgs): void {
  writeFh(w, a.dir);
  w.opaque(a.name);
}
