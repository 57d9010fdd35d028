/** MKDIR (RFC 1813 section 3.3.9). */
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readDirOpArgs,
  readNewObjectResult,
  readSattr,
  writeDirOpArgs,
  writeNewObjectResult,
  writeSattr,
  type DirOpArgs,
  type NewObjectResult,
} from './common.js';
import type { Sattr3 } from './types.js';

export interface MkdirArgs {
  where: DirOpArgs;
  attributes: Sattr3;
}

export type MkdirResult = NewObjectResult;

export const MKDIR: ProcedureCodec<MkdirArgs, MkdirResult> = {
  proc: Nfs3Proc.MKDIR,
  name: 'MKDIR',
  readArgs: (r) => ({ where: readDirOpArgs(r), attributes: readSattr(r) }),
  writeArgs: (w, a) => {
    writeDirOpArgs(w, a.where);
    writeSattr(w, a.attributes);
  },
  readResult: readNewObjectResult,
  writeResult: writeNewObjectResult,
};
