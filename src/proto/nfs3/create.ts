/** CREATE (RFC 1813 section 3.3.8): a regular file, unchecked, guarded or exclusive. */
import { XdrError, type XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { CreateMode, Nfs3Proc } from './constants.js';
import {
  readDirOpArgs,
  readNewObjectResult,
  readSattr,
  readVerifier,
  writeDirOpArgs,
  writeNewObjectResult,
  writeSattr,
  writeVerifier,
  type DirOpArgs,
  type NewObjectResult,
} from './common.js';
import type { Sattr3 } from './types.js';

/** createhow3. */
export type CreateHow3 =
  | { mode: CreateMode.UNCHECKED | CreateMode.GUARDED; objAttributes: Sattr3 }
  /** createverf3, 8 bytes. */
  | { mode: CreateMode.EXCLUSIVE; verf: Buffer };

export interface CreateArgs {
  where: DirOpArgs;
  how: CreateHow3;
}

export type CreateResult = NewObjectResult;

function readCreateHow(r: XdrReader): CreateHow3 {
  const mode = r.u32();
  switch (mode) {
    case CreateMode.UNCHECKED:
    case CreateMode.GUARDED:
      return { mode, objAttributes: readSattr(r) };
    case CreateMode.EXCLUSIVE:
      return { mode, verf: readVerifier(r) };
    default:
      throw new XdrError(`bad createmode3 ${mode}`);
  }
}

function writeCreateHow(w: XdrWriter, how: CreateHow3): void {
  w.u32(how.mode);
  if (how.mode === CreateMode.EXCLUSIVE) writeVerifier(w, how.verf);
  else writeSattr(w, how.objAttributes);
}

export const CREATE: ProcedureCodec<CreateArgs, CreateResult> = {
  proc: Nfs3Proc.CREATE,
  name: 'CREATE',
  readArgs: (r) => ({ where: readDirOpArgs(r), how: readCreateHow(r) }),
  writeArgs: (w, a) => {
    writeDirOpArgs(w, a.where);
    writeCreateHow(w, a.how);
  },
  readResult: readNewObjectResult,
  writeResult: writeNewObjectResult,
};
