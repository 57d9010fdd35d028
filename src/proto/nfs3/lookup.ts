/** LOOKUP (RFC 1813 section 3.3.3): a name in a directory to a handle. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readDirOpArgs,
  readFh,
  readPostOpAttr,
  readResultOf,
  writeDirOpArgs,
  writeFh,
  writePostOpAttr,
  writeResultOf,
  type DirOpArgs,
  type NfsResult,
} from './common.js';
import type { Fattr3, FileHandle } from './types.js';

export interface LookupArgs {
  what: DirOpArgs;
}

interface DirAttributes {
  dirAttributes?: Fattr3;
}

export interface LookupResOk extends DirAttributes {
  object: FileHandle;
  objAttributes?: Fattr3;
}

export type LookupResult = NfsResult<LookupResOk, DirAttributes>;

const readDirAttributes = (r: XdrReader): DirAttributes => ({ dirAttributes: readPostOpAttr(r) });
const writeDirAttributes = (w: XdrWriter, v: DirAttributes): void => writePostOpAttr(w, v.dirAttributes);

export const LOOKUP: ProcedureCodec<LookupArgs, LookupResult> = {
  proc: Nfs3Proc.LOOKUP,
  name: 'LOOKUP',
  readArgs: (r) => ({ what: readDirOpArgs(r) }),
  writeArgs: (w, a) => writeDirOpArgs(w, a.what),
  readResult: (r) =>
    readResultOf(
      r,
      (x) => ({ object: readFh(x), objAttributes: readPostOpAttr(x), dirAttributes: readPostOpAttr(x) }),
      readDirAttributes,
    ),
  writeResult: (w, res) =>
    writeResultOf(
      w,
      res,
      (x, ok) => {
        writeFh(x, ok.object);
        writePostOpAttr(x, ok.objAttributes);
        writePostOpAttr(x, ok.dirAttributes);
      },
      writeDirAttributes,
    ),
};
