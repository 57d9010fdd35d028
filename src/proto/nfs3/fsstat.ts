/** FSSTAT (RFC 1813 section 3.3.18): dynamic filesystem state. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readFh,
  readObjAttributes,
  readPostOpAttr,
  readResultOf,
  writeFh,
  writeObjAttributes,
  writePostOpAttr,
  writeResultOf,
  type NfsResult,
  type ObjAttributes,
} from './common.js';
import type { FileHandle } from './types.js';

export interface FsstatArgs {
  fsroot: FileHandle;
}

export interface FsstatResOk extends ObjAttributes {
  tbytes: bigint;
  fbytes: bigint;
  abytes: bigint;
  tfiles: bigint;
  ffiles: bigint;
  afiles: bigint;
  invarsec: number;
}

export type FsstatResult = NfsResult<FsstatResOk, ObjAttributes>;

function readResOk(r: XdrReader): FsstatResOk {
  const objAttributes = readPostOpAttr(r);
  const tbytes = r.u64();
  const fbytes = r.u64();
  const abytes = r.u64();
  const tfiles = r.u64();
  const ffiles = r.u64();
  const afiles = r.u64();
  const invarsec = r.u32();
  return { objAttributes, tbytes, fbytes, abytes, tfiles, ffiles, afiles, invarsec };
}

function writeResOk(w: XdrWriter, v: FsstatResOk): void {
  writePostOpAttr(w, v.objAttributes);
  w.u64(v.tbytes).u64(v.fbytes).u64(v.abytes).u64(v.tfiles).u64(v.ffiles).u64(v.afiles).u32(v.invarsec);
}

export const FSSTAT: ProcedureCodec<FsstatArgs, FsstatResult> = {
  proc: Nfs3Proc.FSSTAT,
  name: 'FSSTAT',
  readArgs: (r) => ({ fsroot: readFh(r) }),
  writeArgs: (w, a) => writeFh(w, a.fsroot),
  readResult: (r) => readResultOf(r, readResOk, readObjAttributes),
  writeResult: (w, res) => writeResultOf(w, res, writeResOk, writeObjAttributes),
};
