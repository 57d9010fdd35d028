/**
 * READDIR (RFC 1813 section 3.3.16). The entry list, a linked list on the
 * wire, is an array here. The size functions give the exact XDR length of
 * each part, so the server can fill a reply to the client's byte budget
 * without encoding it twice.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc, NFS3_COOKIEVERFSIZE } from './constants.js';
import {
  readFh,
  readList,
  readName,
  readPostOpAttr,
  readResultOf,
  readVerifier,
  writeFh,
  writeList,
  writePostOpAttr,
  writeResultOf,
  writeVerifier,
  type NfsResult,
} from './common.js';
import type { Fattr3, FileHandle } from './types.js';

export interface ReaddirArgs {
  dir: FileHandle;
  cookie: bigint;
  cookieverf: Buffer;
  /** Most bytes the client accepts for the whole READDIR3resok. */
  count: number;
}

export interface Entry3 {
  fileid: bigint;
  name: Buffer;
  cookie: bigint;
}

/** dirlist3 / dirlistplus3. */
export interface DirList<E> {
  entries: E[];
  eof: boolean;
}

/** The resfail arm, and the first field of resok. */
export interface DirAttributes {
  dirAttributes?: Fattr3;
}

/** The resok of READDIR or READDIRPLUS, given its entry type. */
export interface DirResOk<E> extends DirAttributes {
  cookieverf: Buffer;
  reply: DirList<E>;
}

export type ReaddirResOk = DirResOk<Entry3>;

export type ReaddirResult = NfsResult<ReaddirResOk, DirAttributes>;

/** XDR length of a variable-length opaque of n bytes. */
export function opaqueSize(n: number): number {
  return 4 + n + ((4 - (n & 3)) & 3);
}

/** XDR length of a post_op_attr (a fattr3 is 84 bytes). */
export function postOpAttrSize(a: Fattr3 | undefined): number {
  return a ? 4 + 84 : 4;
}

/** The fileid, name and cookie of an entry: what READDIRPLUS's dircount counts. */
export function entryDirSize(e: { name: Buffer }): number {
  return 8 + opaqueSize(e.name.length) + 8;
}

/** One entry3 in the list, with its value-follows word. */
export function entry3Size(e: Entry3): number {
  return 4 + entryDirSize(e);
}

/** A resok's bytes around its entries: attributes, verifier, list terminator, eof. */
export function dirResOkOverhead(dirAttributes: Fattr3 | undefined): number {
  return postOpAttrSize(dirAttributes) + NFS3_COOKIEVERFSIZE + 4 + 4;
}

export function readDirAttributes(r: XdrReader): DirAttributes {
  return { dirAttributes: readPostOpAttr(r) };
}

export function writeDirAttributes(w: XdrWriter, v: DirAttributes): void {
  writePostOpAttr(w, v.dirAttributes);
}

export function readEntry3(r: XdrReader): Entry3 {
  const fileid = r.u64();
  const name = readName(r);
  const cookie = r.u64();
  return { fileid, name, cookie };
}

export function writeEntry3(w: XdrWriter, e: Entry3): void {
  w.u64(e.fileid).opaque(e.name).u64(e.cookie);
}

export function readDirResOk<E>(r: XdrReader, readEntry: (r: XdrReader) => E): DirResOk<E> {
  const dirAttributes = readPostOpAttr(r);
  const cookieverf = readVerifier(r);
  const entries = readList(r, readEntry);
  const eof = r.bool();
  return { dirAttributes, cookieverf, reply: { entries, eof } };
}

export function writeDirResOk<E>(
  w: XdrWriter,
  v: DirResOk<E>,
  writeEntry: (w: XdrWriter, e: E) => void,
): void {
  writePostOpAttr(w, v.dirAttributes);
  writeVerifier(w, v.cookieverf);
  writeList(w, v.reply.entries, writeEntry);
  w.bool(v.reply.eof);
}

export const READDIR: ProcedureCodec<ReaddirArgs, ReaddirResult> = {
  proc: Nfs3Proc.READDIR,
  name: 'READDIR',
  readArgs(r) {
    const dir = readFh(r);
    const cookie = r.u64();
    const cookieverf = readVerifier(r);
    const count = r.u32();
    return { dir, cookie, cookieverf, count };
  },
  writeArgs(w, a) {
    writeFh(w, a.dir);
    w.u64(a.cookie);
    writeVerifier(w, a.cookieverf);
    w.u32(a.count);
  },
  readResult: (r) => readResultOf(r, (x) => readDirResOk(x, readEntry3), readDirAttributes),
  writeResult: (w, res) =>
    writeResultOf(w, res, (x, ok: ReaddirResOk) => writeDirResOk(x, ok, writeEntry3), writeDirAttributes),
};
