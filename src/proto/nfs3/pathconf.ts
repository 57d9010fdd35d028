/** PATHCONF (RFC 1813 section 3.3.20): POSIX pathconf information for an object. */
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

export interface PathconfArgs {
  object: FileHandle;
}

export interface PathconfResOk extends ObjAttributes {
  linkmax: number;
  nameMax: number;
  noTrunc: boolean;
  chownRestricted: boolean;
  caseInsensitive: boolean;
  casePreserving: boolean;
}

export type PathconfResult = NfsResult<PathconfResOk, ObjAttributes>;

function readResOk(r: XdrReader): PathconfResOk {
  const objAttributes = readPostOpAttr(r);
  const linkmax = r.u32();
  const nameMax = r.u32();
  const noTrunc = r.bool();
  const chownRestricted = r.bool();
  const caseInsensitive = r.bool();
  const casePreserving = r.bool();
  return { objAttributes, linkmax, nameMax, noTrunc, chownRestricted, caseInsensitive, casePreserving };
}

function writeResOk(w: XdrWriter, v: PathconfResOk): void {
  writePostOpAttr(w, v.objAttributes);
  w.u32(v.linkmax).u32(v.nameMax);
  w.bool(v.noTrunc).bool(v.chownRestricted).bool(v.caseInsensitive).bool(v.casePreserving);
}

export const PATHCONF: ProcedureCodec<PathconfArgs, PathconfResult> = {
  proc: Nfs3Proc.PATHCONF,
  name: 'PATHCONF',
  readArgs: (r) => ({ object: readFh(r) }),
  writeArgs: (w, a) => writeFh(w, a.object),
  readResult: (r) => readResultOf(r, readResOk, readObjAttributes),
  writeResult: (w, res) => writeResultOf(w, res, writeResOk, writeObjAttributes),
};
