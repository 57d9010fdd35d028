/** REMOVE (RFC 1813 section 3.3.12): remove a non-directory entry. */
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readDirOpArgs,
  readDirWcc,
  readResultOf,
  writeDirOpArgs,
  writeDirWcc,
  writeResultOf,
  type DirOpArgs,
  type DirWcc,
  type NfsResult,
} from './common.js';

export interface RemoveArgs {
  object: DirOpArgs;
}

/** REMOVE3resok and REMOVE3resfail are the same dir_wcc. */
export type RemoveResult = NfsResult<DirWcc, DirWcc>;

export const REMOVE: ProcedureCodec<RemoveArgs, RemoveResult> = {
  proc: Nfs3Proc.REMOVE,
  name: 'REMOVE',
  readArgs: (r) => ({ object: readDirOpArgs(r) }),
  writeArgs: (w, a) => writeDirOpArgs(w, a.object),
  readResult: (r) => readResultOf(r, readDirWcc, readDirWcc),
  writeResult: (w, res) => writeResultOf(w, res, writeDirWcc, writeDirWcc),
};
