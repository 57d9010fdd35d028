/** COMMIT (RFC 1813 section 3.3.21): make earlier UNSTABLE writes durable. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readFh,
  readResultOf,
  readVerifier,
  readWcc,
  writeFh,
  writeResultOf,
  writeVerifier,
  writeWcc,
  type NfsResult,
} from './common.js';
import type { FileHandle, WccData } from './types.js';

export interface CommitArgs {
  file: FileHandle;
  offset: bigint;
  /** 0 means to the end of the file. */
  count: number;
}

interface FileWcc {
  fileWcc: WccData;
}

export interface CommitResOk extends FileWcc {
  /** The write verifier: when it differs from WRITE's, the client must resend. */
  verf: Buffer;
}

export type CommitResult = NfsResult<CommitResOk, FileWcc>;

function readResOk(r: XdrReader): CommitResOk {
  const fileWcc = readWcc(r);
  const verf = readVerifier(r);
  return { fileWcc, verf };
}

function writeResOk(w: XdrWriter, v: CommitResOk): void {
  writeWcc(w, v.fileWcc);
  writeVerifier(w, v.verf);
}

export const COMMIT: ProcedureCodec<CommitArgs, CommitResult> = {
  proc: Nfs3Proc.COMMIT,
  name: 'COMMIT',
  readArgs(r) {
    const file = readFh(r);
    const offset = r.u64();
    const count = r.u32();
    return { file, offset, count };
  },
  writeArgs(w, a) {
    writeFh(w, a.file);
    w.u64(a.offset).u32(a.count);
  },
  readResult: (r) => readResultOf(r, readResOk, (x) => ({ fileWcc: readWcc(x) })),
  writeResult: (w, res) => writeResultOf(w, res, writeResOk, (x, v) => writeWcc(x, v.fileWcc)),
};
