/**
 * WRITE (RFC 1813 section 3.3.7). `count` is decoded as sent, apart from the
 * data's own length: whether the two agree is the handler's question.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc, StableHow } from './constants.js';
import {
  MAX_DATA_BYTES,
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

const STABLE_HOWS: ReadonlySet<number> = new Set([StableHow.UNSTABLE, StableHow.DATA_SYNC, StableHow.FILE_SYNC]);

export function readStableHow(r: XdrReader): StableHow {
  return r.enumOf<StableHow>(STABLE_HOWS, 'stable_how');
}

export interface WriteArgs {
  file: FileHandle;
  offset: bigint;
  count: number;
  stable: StableHow;
  /** A view into the request: a backend that keeps it past the call must copy it. */
  data: Buffer;
}

interface FileWcc {
  fileWcc: WccData;
}

export interface WriteResOk extends FileWcc {
  count: number;
  committed: StableHow;
  /** writeverf3, 8 bytes. */
  verf: Buffer;
}

export type WriteResult = NfsResult<WriteResOk, FileWcc>;

const readFileWcc = (r: XdrReader): FileWcc => ({ fileWcc: readWcc(r) });
const writeFileWcc = (w: XdrWriter, v: FileWcc): void => writeWcc(w, v.fileWcc);

export const WRITE: ProcedureCodec<WriteArgs, WriteResult> = {
  proc: Nfs3Proc.WRITE,
  name: 'WRITE',
  readArgs: (r) => ({
    file: readFh(r),
    offset: r.u64(),
    count: r.u32(),
    stable: readStableHow(r),
    data: r.opaque(MAX_DATA_BYTES),
  }),
  writeArgs: (w, a) => {
    writeFh(w, a.file);
    w.u64(a.offset).u32(a.count).u32(a.stable).opaque(a.data);
  },
  readResult: (r) =>
    readResultOf(
      r,
      (x) => ({ fileWcc: readWcc(x), count: x.u32(), committed: readStableHow(x), verf: readVerifier(x) }),
      readFileWcc,
    ),
  writeResult: (w, res) =>
    writeResultOf(
      w,
      res,
      (x, ok) => {
        writeWcc(x, ok.fileWcc);
        x.u32(ok.count).u32(ok.committed);
        writeVerifier(x, ok.verf);
      },
      writeFileWcc,
    ),
};
