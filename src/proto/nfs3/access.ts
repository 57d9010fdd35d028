/** ACCESS (RFC 1813 section 3.3.4): which of the asked ACCESS3_* rights the caller holds. */
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

export interface AccessArgs {
  object: FileHandle;
  /** ACCESS3_* bits asked for. */
  access: number;
}

export interface AccessResOk extends ObjAttributes {
  /** ACCESS3_* bits granted. */
  access: number;
}

export type AccessResult = NfsResult<AccessResOk, ObjAttributes>;

export const ACCESS: ProcedureCodec<AccessArgs, AccessResult> = {
  proc: Nfs3Proc.ACCESS,
  name: 'ACCESS',
  readArgs: (r) => ({ object: readFh(r), access: r.u32() }),
  writeArgs: (w, a) => {
    writeFh(w, a.object);
    w.u32(a.access);
  },
  readResult: (r) => readResultOf(r, (x) => ({ objAttributes: readPostOpAttr(x), access: x.u32() }), readObjAttributes),
  writeResult: (w, res) =>
    writeResultOf(
      w,
      res,
      (x, ok) => {
        writePostOpAttr(x, ok.objAttributes);
        x.u32(ok.access);
      },
      writeObjAttributes,
    ),
};
