/** FSINFO (RFC 1813 section 3.3.19): static filesystem information and transfer sizes. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readFh,
  readObjAttributes,
  readPostOpAttr,
  readResultOf,
  readTime,
  writeFh,
  writeObjAttributes,
  writePostOpAttr,
  writeResultOf,
  writeTime,
  type NfsResult,
  type ObjAttributes,
} from './common.js';
import type { FileHandle, NfsTime3 } from './types.js';

export interface FsinfoArgs {
  fsroot: FileHandle;
}

export interface FsinfoResOk extends ObjAttributes {
  rtmax: number;
  rtpref: number;
  rtmult: number;
  wtmax: number;
  wtpref: number;
  wtmult: number;
  dtpref: number;
  maxfilesize: bigint;
  timeDelta: NfsTime3;
  /** FSF3_* bits. */
  properties: number;
}

export type FsinfoResult = NfsResult<FsinfoResOk, ObjAttributes>;

function readResOk(r: XdrReader): FsinfoResOk {
  const objAttributes = readPostOpAttr(r);
  const rtmax = r.u32();
  const rtpref = r.u32();
  const rtmult = r.u32();
  const wtmax = r.u32();
  const wtpref = r.u32();
  const wtmult = r.u32();
  const dtpref = r.u32();
  const maxfilesize = r.u64();
  const timeDelta = readTime(r);
  const properties = r.u32();
  return { objAttributes, rtmax, rtpref, rtmult, wtmax, wtpref, wtmult, dtpref, maxfilesize, timeDelta, properties };
}

function writeResOk(w: XdrWriter, v: FsinfoResOk): void {
  writePostOpAttr(w, v.objAttributes);
  w.u32(v.rtmax).u32(v.rtpref).u32(v.rtmult).u32(v.wtmax).u32(v.wtpref).u32(v.wtmult).u32(v.dtpref);
  w.u64(v.maxfilesize);
  writeTime(w, v.timeDelta);
  w.u32(v.properties);
}

export const FSINFO: ProcedureCodec<FsinfoArgs, FsinfoResult> = {
  proc: Nfs3Proc.FSINFO,
  name: 'FSINFO',
  readArgs: (r) => ({ fsroot: readFh(r) }),
  writeArgs: (w, a) => writeFh(w, a.fsroot),
  readResult: (r) => readResultOf(r, readResOk, readObjAttributes),
  writeResult: (w, res) => writeResultOf(w, res, writeResOk, writeObjAttributes),
};
