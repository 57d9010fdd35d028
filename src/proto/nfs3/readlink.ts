/** READLINK (RFC 1813 section 3.3.5): a symbolic link's target, as bytes. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readFh,
  readPath,
  readPostOpAttr,
  readResultOf,
  writeFh,
  writePostOpAttr,
  writeResultOf,
  type NfsResult,
} from './common.js';
import type { Fattr3, FileHandle } from './types.js';

export interface ReadlinkArgs {
  symlink: FileHandle;
}

interface SymlinkAttributes {
  symlinkAttributes?: Fattr3;
}

export interface ReadlinkResOk extends SymlinkAttributes {
  /** nfspath3: bytes, not necessarily UTF-8. */
  data: Buffer;
}

export type ReadlinkResult = NfsResult<ReadlinkResOk, SymlinkAttributes>;

const readSymlinkAttributes = (r: XdrReader): SymlinkAttributes => ({ symlinkAttributes: readPostOpAttr(r) });
const writeSymlinkAttributes = (w: XdrWriter, v: SymlinkAttributes): void => writePostOpAttr(w, v.symlinkAttributes);

export const READLINK: ProcedureCodec<ReadlinkArgs, ReadlinkResult> = {
  proc: Nfs3Proc.READLINK,
  name: 'READLINK',
  readArgs: (r) => ({ symlink: readFh(r) }),
  writeArgs: (w, a) => writeFh(w, a.symlink),
  readResult: (r) =>
    readResultOf(r, (x) => ({ symlinkAttributes: readPostOpAttr(x), data: readPath(x) }), readSymlinkAttributes),
  writeResult: (w, res) =>
    writeResultOf(
      w,
      res,
      (x, ok) => {
        writePostOpAttr(x, ok.symlinkAttributes);
        x.opaque(ok.data);
      },
      writeSymlinkAttributes,
    ),
};
