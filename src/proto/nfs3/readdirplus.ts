/** READDIRPLUS (RFC 1813 section 3.3.17): READDIR with each entry's attributes and handle. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readFh,
  readPostOpAttr,
  readPostOpFh,
  readResultOf,
  readVerifier,
  writeFh,
  writePostOpAttr,
  writePostOpFh,
  writeResultOf,
  writeVerifier,
  type NfsResult,
} from './common.js';
import {
  entry3Size,
  opaqueSize,
  postOpAttrSize,
  readDirAttributes,
  readDirResOk,
  readEntry3,
  writeDirAttributes,
  writeDirResOk,
  writeEntry3,
  type DirAttributes,
  type DirResOk,
  type Entry3,
} from './readdir.js';
import type { Fattr3, FileHandle } from './types.js';

export interface ReaddirplusArgs {
  dir: FileHandle;
  cookie: bigint;
  cookieverf: Buffer;
  /** Most bytes of fileid + name + cookie over all entries. */
  dircount: number;
  /** Most bytes the client accepts for the whole READDIRPLUS3resok. */
  maxcount: number;
}

export interface Entryplus3 extends Entry3 {
  nameAttributes?: Fattr3;
  nameHandle?: FileHandle;
}

export type ReaddirplusResOk = DirResOk<Entryplus3>;

export type ReaddirplusResult = NfsResult<ReaddirplusResOk, DirAttributes>;

/** One entryplus3 in the list, with its value-follows word. */
export function entryplus3Size(e: Entryplus3): number {
  return entry3Size(e) + postOpAttrSize(e.nameAttributes) + (e.nameHandle ? 4 + opaqueSize(e.nameHandle.length) : 4);
}

function readEntryplus3(r: XdrReader): Entryplus3 {
  const e: Entryplus3 = readEntry3(r);
  e.nameAttributes = readPostOpAttr(r);
  e.nameHandle = readPostOpFh(r);
  return e;
}

function writeEntryplus3(w: XdrWriter, e: Entryplus3): void {
  writeEntry3(w, e);
  writePostOpAttr(w, e.nameAttributes);
  writePostOpFh(w, e.nameHandle);
}

export const READDIRPLUS: ProcedureCodec<ReaddirplusArgs, ReaddirplusResult> = {
  proc: Nfs3Proc.READDIRPLUS,
  name: 'READDIRPLUS',
  readArgs(r) {
    const dir = readFh(r);
    const cookie = r.u64();
    const cookieverf = readVerifier(r);
    const dircount = r.u32();
    const maxcount = r.u32();
    return { dir, cookie, cookieverf, dircount, maxcount };
  },
  writeArgs(w, a) {
    writeFh(w, a.dir);
    w.u64(a.cookie);
    writeVerifier(w, a.cookieverf);
    w.u32(a.dircount).u32(a.maxcount);
  },
  readResult: (r) => readResultOf(r, (x) => readDirResOk(x, readEntryplus3), readDirAttributes),
  writeResult: (w, res) =>
    writeResultOf(w, res, (x, ok: ReaddirplusResOk) => writeDirResOk(x, ok, writeEntryplus3), writeDirAttributes),
};
