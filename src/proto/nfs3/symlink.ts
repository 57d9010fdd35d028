/** SYMLINK (RFC 1813 section 3.3.10). */
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readDirOpArgs,
  readNewObjectResult,
  readPath,
  readSattr,
  writeDirOpArgs,
  writeNewObjectResult,
  writeSattr,
  type DirOpArgs,
  type NewObjectResult,
} from './common.js';
import type { Sattr3 } from './types.js';

/** symlinkdata3. */
export interface SymlinkData3 {
  symlinkAttributes: Sattr3;
  /** nfspath3: the target, as bytes. */
  symlinkData: Buffer;
}

export interface SymlinkArgs {
  where: DirOpArgs;
  symlink: SymlinkData3;
}

export type SymlinkResult = NewObjectResult;

export const SYMLINK: ProcedureCodec<SymlinkArgs, SymlinkResult> = {
  proc: Nfs3Proc.SYMLINK,
  name: 'SYMLINK',
  readArgs: (r) => ({ where: readDirOpArgs(r), symlink: { symlinkAttributes: readSattr(r), symlinkData: readPath(r) } }),
  writeArgs: (w, a) => {
    writeDirOpArgs(w, a.where);
    writeSattr(w, a.symlink.symlinkAttributes);
    w.opaque(a.symlink.symlinkData);
  },
  readResult: readNewObjectResult,
  writeResult: writeNewObjectResult,
};
