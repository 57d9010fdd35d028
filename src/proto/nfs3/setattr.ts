/** SETATTR (RFC 1813 section 3.3.2): change attributes, optionally guarded by the object's ctime. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readFh,
  readResultOf,
  readSattr,
  readTime,
  readWcc,
  writeFh,
  writeResultOf,
  writeSattr,
  writeTime,
  writeWcc,
  type NfsResult,
} from './common.js';
import type { FileHandle, NfsTime3, Sattr3, WccData } from './types.js';

export interface SetattrArgs {
  object: FileHandle;
  newAttributes: Sattr3;
  /** sattrguard3: the ctime the object must still have; absent means no check. */
  guard?: NfsTime3;
}

interface ObjWcc {
  objWcc: WccData;
}

/** SETATTR3resok and SETATTR3resfail are both obj_wcc. */
export type SetattrResult = NfsResult<ObjWcc, ObjWcc>;

const readObjWcc = (r: XdrReader): ObjWcc => ({ objWcc: readWcc(r) });
const writeObjWcc = (w: XdrWriter, v: ObjWcc): void => writeWcc(w, v.objWcc);

export const SETATTR: ProcedureCodec<SetattrArgs, SetattrResult> = {
  proc: Nfs3Proc.SETATTR,
  name: 'SETATTR',
  readArgs: (r) => ({ object: readFh(r), newAttributes: readSattr(r), guard: r.optional(readTime) }),
  writeArgs: (w, a) => {
    writeFh(w, a.object);
    writeSattr(w, a.newAttributes);
    w.optional(a.guard, writeTime);
  },
  readResult: (r) => readResultOf(r, readObjWcc, readObjWcc),
  writeResult: (w, res) => writeResultOf(w, res, writeObjWcc, writeObjWcc),
};
