/**
 * READ (RFC 1813 section 3.3.6). The data is written by reference (XdrWriter
 * does so for large payloads), so a reply never copies what was read.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  MAX_DATA_BYTES,
  readFh,
  readPostOpAttr,
  readResultOf,
  writeFh,
  writePostOpAttr,
  writeResultOf,
  type NfsResult,
} from './common.js';
import type { Fattr3, FileHandle } from './types.js';

export interface ReadArgs {
  file: FileHandle;
  offset: bigint;
  count: number;
}

interface FileAttributes {
  fileAttributes?: Fattr3;
}

export interface ReadResOk extends FileAttributes {
  /** Bytes returned; the RFC carries it apart from data's own length. */
  count: number;
  eof: boolean;
  /** A view (decoding) or the backend's buffer (encoding), never a copy. */
  data: Buffer;
}

export type ReadResult = NfsResult<ReadResOk, FileAttributes>;

const readFileAttributes = (r: XdrReader): FileAttributes => ({ fileAttributes: readPostOpAttr(r) });
const writeFileAttributes = (w: XdrWriter, v: FileAttributes): void => writePostOpAttr(w, v.fileAttributes);

export const READ: ProcedureCodec<ReadArgs, ReadResult> = {
  proc: Nfs3Proc.READ,
  name: 'READ',
  readArgs: (r) => ({ file: readFh(r), offset: r.u64(), count: r.u32() }),
  writeArgs: (w, a) => {
    writeFh(w, a.file);
    w.u64(a.offset).u32(a.count);
  },
  readResult: (r) =>
    readResultOf(
      r,
      (x) => ({ fileAttributes: readPostOpAttr(x), count: x.u32(), eof: x.bool(), data: x.opaque(MAX_DATA_BYTES) }),
      readFileAttributes,
    ),
  writeResult: (w, res) =>
    writeResultOf(
      w,
      res,
      (x, ok) => {
        writePostOpAttr(x, ok.fileAttributes);
        x.u32(ok.count).bool(ok.eof).opaque(ok.data);
      },
      writeFileAttributes,
    ),
};
