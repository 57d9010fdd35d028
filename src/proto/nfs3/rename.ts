/** RENAME (RFC 1813 section 3.3.14). */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readDirOpArgs,
  readResultOf,
  readWcc,
  writeDirOpArgs,
  writeResultOf,
  writeWcc,
  type DirOpArgs,
  type NfsResult,
} from './common.js';
import type { WccData } from './types.js';

export interface RenameArgs {
  from: DirOpArgs;
  to: DirOpArgs;
}

interface RenameWcc {
  fromdirWcc: WccData;
  todirWcc: WccData;
}

/** RENAME3resok and RENAME3resfail carry the same two wcc_data. */
export type RenameResult = NfsResult<RenameWcc, RenameWcc>;

function readRenameWcc(r: XdrReader): RenameWcc {
  const fromdirWcc = readWcc(r);
  const todirWcc = readWcc(r);
  return { fromdirWcc, todirWcc };
}

function writeRenameWcc(w: XdrWriter, v: RenameWcc): void {
  writeWcc(w, v.fromdirWcc);
  writeWcc(w, v.todirWcc);
}

export const RENAME: ProcedureCodec<RenameArgs, RenameResult> = {
  proc: Nfs3Proc.RENAME,
  name: 'RENAME',
  readArgs(r) {
    const from = readDirOpArgs(r);
    const to = readDirOpArgs(r);
    return { from, to };
  },
  writeArgs(w, a) {
    writeDirOpArgs(w, a.from);
    writeDirOpArgs(w, a.to);
  },
  readResult: (r) => readResultOf(r, readRenameWcc, readRenameWcc),
  writeResult: (w, res) => writeResultOf(w, res, writeRenameWcc, writeRenameWcc),
};
