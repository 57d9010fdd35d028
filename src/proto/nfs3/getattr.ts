/** GETATTR (RFC 1813 section 3.3.1): the attributes of an object. */
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import { readFattr, readFh, readResultOf, writeFattr, writeFh, writeResultOf, type NfsResult } from './common.js';
import type { Fattr3, FileHandle } from './types.js';

export interface GetattrArgs {
  object: FileHandle;
}

export interface GetattrResOk {
  objAttributes: Fattr3;
}

/** GETATTR3resfail is void. */
export type GetattrResult = NfsResult<GetattrResOk, {}>;

export const GETATTR: ProcedureCodec<GetattrArgs, GetattrResult> = {
  proc: Nfs3Proc.GETATTR,
  name: 'GETATTR',
  readArgs: (r) => ({ object: readFh(r) }),
  writeArgs: (w, a) => writeFh(w, a.object),
  readResult: (r) =>
    readResultOf(
      r,
      (x) => ({ objAttributes: readFattr(x) }),
      () => ({}),
    ),
  writeResult: (w, res) =>
    writeResultOf<GetattrResOk, {}>(
      w,
      res,
      (x, ok) => writeFattr(x, ok.objAttributes),
      () => {},
    ),
};
