/**
 * Codecs for the NFSv3 types shared across procedures (RFC 1813 section 2.5-2.6).
 * Every read bounds its lengths; every write is the exact inverse of its read.
 */
import { XdrError, XdrReader } from '../../xdr/reader.js';
import { XdrWriter } from '../../xdr/writer.js';
import { Ftype3, MAX_NAME_BYTES, MAX_PATH_BYTES, NFS3_COOKIEVERFSIZE, NFS3_FHSIZE, NfsStat3, TimeHow } from './constants.js';
import type { Fattr3, FileHandle, NfsTime3, Sattr3, SetTime, SpecData3, WccAttr, WccData } from './types.js';

const FTYPES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7]);
const STATUSES: ReadonlySet<number> = new Set(Object.values(NfsStat3).filter((v) => typeof v === 'number'));

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

/** The XDR length of a fattr3. */
export const FATTR3_BYTES = 84;

/**
 * A fattr3 kept as its XDR bytes, for attributes made in bulk (READDIRPLUS
 * carries hundreds per reply): writing one is a copy, and a field is decoded
 * only when something reads it. Its one own property is the bytes, so two
 * of them are deepStrictEqual exactly when their attributes are equal.
 */
export class PackedFattr implements Fattr3 {
  constructor(readonly xdr: Buffer) {
    if (xdr.length !== FATTR3_BYTES) throw new RangeError(`fattr3 of ${xdr.length} bytes, need ${FATTR3_BYTES}`);
  }

  get type(): Ftype3 {
    return this.xdr.readUInt32BE(0);
  }
  get mode(): number {
    return this.xdr.readUInt32BE(4);
  }
  get nlink(): number {
    return this.xdr.readUInt32BE(8);
  }
  get uid(): number {
    return this.xdr.readUInt32BE(12);
  }
  get gid(): number {
    return this.xdr.readUInt32BE(16);
  }
  get size(): bigint {
    return this.xdr.readBigUInt64BE(20);
  }
  get used(): bigint {
    return this.xdr.readBigUInt64BE(28);
  }
  get rdev(): SpecData3 {
    return { major: this.xdr.readUInt32BE(36), minor: this.xdr.readUInt32BE(40) };
  }
  get fsid(): bigint {
    return this.xdr.readBigUInt64BE(44);
  }
  get fileid(): bigint {
    return this.xdr.readBigUInt64BE(52);
  }
  get atime(): NfsTime3 {
    return { seconds: this.xdr.readUInt32BE(60), nseconds: this.xdr.readUInt32BE(64) };
  }
  get mtime(): NfsTime3 {
    return { seconds: this.xdr.readUInt32BE(68), nseconds: this.xdr.readUInt32BE(72) };
  }
  get ctime(): NfsTime3 {
    return { seconds: this.xdr.readUInt32BE(76), nseconds: this.xdr.readUInt32BE(80) };
  }

  /** The plain fields, for logs and traces. */
  toJSON(): Fattr3 {
    const { type, mode, nlink, uid, gid, size, used, rdev, fsid, fileid, atime, mtime, ctime } = this;
    return { type, mode, nlink, uid, gid, size, used, rdev, fsid, fileid, atime, mtime, ctime };
  }
}

export function writeFattr(w: XdrWriter, a: Fattr3): void {
  if (a instanceof PackedFattr) {
    w.fixedOpaque(a.xdr);
    return;
  }
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

/** nfsstat3; values outside RFC 1813's list are refused, as for every enum. */
export function readStatus(r: XdrReader): NfsStat3 {
  return r.enumOf<NfsStat3>(STATUSES, 'nfsstat3');
}

/**
 * The shape of every NFSv3 result: a union on nfsstat3 with a resok arm for
 * OK and a resfail arm for every other status.
 */
export type NfsResult<Ok extends object, Fail extends object> =
  | ({ status: NfsStat3.OK } & Ok)
  | ({ status: Exclude<NfsStat3, NfsStat3.OK> } & Fail);

export function readResultOf<Ok extends object, Fail extends object>(
  r: XdrReader,
  readOk: (r: XdrReader) => Ok,
  readFail: (r: XdrReader) => Fail,
): NfsResult<Ok, Fail> {
  const status = readStatus(r);
  return status === NfsStat3.OK ? { status, ...readOk(r) } : { status, ...readFail(r) };
}

export function writeResultOf<Ok extends object, Fail extends object>(
  w: XdrWriter,
  res: NfsResult<Ok, Fail>,
  writeOk: (w: XdrWriter, ok: Ok) => void,
  writeFail: (w: XdrWriter, fail: Fail) => void,
): void {
  w.u32(res.status);
  if (res.status === NfsStat3.OK) writeOk(w, res as Ok);
  else writeFail(w, res as Fail);
}

/** An 8-byte verifier (cookieverf3, createverf3, writeverf3), as a view. */
export function readVerifier(r: XdrReader): Buffer {
  return r.fixedOpaque(NFS3_COOKIEVERFSIZE);
}

/** Refuses any other length: a short verifier would silently shift every later field. */
export function writeVerifier(w: XdrWriter, v: Buffer): void {
  if (v.length !== NFS3_COOKIEVERFSIZE) throw new RangeError(`verifier of ${v.length} bytes, need ${NFS3_COOKIEVERFSIZE}`);
  w.fixedOpaque(v);
}

/** The resfail arm (and resok prefix) of procedures that report only obj_attributes. */
export interface ObjAttributes {
  objAttributes?: Fattr3;
}

export function readObjAttributes(r: XdrReader): ObjAttributes {
  return { objAttributes: readPostOpAttr(r) };
}

export function writeObjAttributes(w: XdrWriter, v: ObjAttributes): void {
  writePostOpAttr(w, v.objAttributes);
}

/**
 * An XDR optional-data linked list (`entry *next`), as an array. Every element
 * costs its value-follows word plus at least one more, so the loop and the
 * array are bounded by the bytes actually in the input.
 */
export function readList<T>(r: XdrReader, read: (r: XdrReader) => T): T[] {
  const out: T[] = [];
  while (r.bool()) out.push(read(r));
  return out;
}

export function writeList<T>(w: XdrWriter, items: readonly T[], write: (w: XdrWriter, v: T) => void): void {
  for (const item of items) {
    w.bool(true);
    write(w, item);
  }
  w.bool(false);
}

/** Largest READ/WRITE payload decoded; generous, since the transport's record limit is the real bound. */
export const MAX_DATA_BYTES = 64 << 20;

/** The resfail arm of the procedures that make a directory entry. */
export interface DirWcc {
  dirWcc: WccData;
}

export function readDirWcc(r: XdrReader): DirWcc {
  return { dirWcc: readWcc(r) };
}

export function writeDirWcc(w: XdrWriter, v: DirWcc): void {
  writeWcc(w, v.dirWcc);
}

/** The resok arm shared by CREATE, MKDIR, SYMLINK and MKNOD: the new entry's handle and attributes, and the directory's wcc. */
export interface NewObject extends DirWcc {
  obj?: FileHandle;
  objAttributes?: Fattr3;
}

/** CREATE3res, MKDIR3res, SYMLINK3res and MKNOD3res are one XDR shape. */
export type NewObjectResult = NfsResult<NewObject, DirWcc>;

function readNewObject(r: XdrReader): NewObject {
  const obj = readPostOpFh(r);
  const objAttributes = readPostOpAttr(r);
  return { obj, objAttributes, dirWcc: readWcc(r) };
}

function writeNewObject(w: XdrWriter, v: NewObject): void {
  writePostOpFh(w, v.obj);
  writePostOpAttr(w, v.objAttributes);
  writeWcc(w, v.dirWcc);
}

export function readNewObjectResult(r: XdrReader): NewObjectResult {
  return readResultOf(r, readNewObject, readDirWcc);
}

export function writeNewObjectResult(w: XdrWriter, res: NewObjectResult): void {
  writeResultOf(w, res, writeNewObject, writeDirWcc);
}
