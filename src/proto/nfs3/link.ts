/** LINK (RFC 1813 section 3.3.15): a hard link `link` to `file`. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Nfs3Proc } from './constants.js';
import {
  readDirOpArgs,
  readFh,
  readPostOpAttr,
  readResultOf,
  readWcc,
  writeDirOpArgs,
  writeFh,
  writePostOpAttr,
  writeResultOf,
  writeWcc,
  type DirOpArgs,
  type NfsResult,
} from './common.js';
import type { Fattr3, FileHandle, WccData } from './types.js';

export interface LinkArgs {
  file: FileHandle;
  link: DirOpArgs;
}

interface LinkAttrs {
  fileAttributes?: Fattr3;
  linkdirWcc: WccData;
}

/** LINK3resok and LINK3resfail carry the same fields. */
export type LinkResult = NfsResult<LinkAttrs, LinkAttrs>;

function readLinkAttrs(r: XdrReader): LinkAttrs {
  const fileAttributes = readPostOpAttr(r);
  const linkdirWcc = readWcc(r);
  return { fileAttributes, linkdirWcc };
}

function writeLinkAttrs(w: XdrWriter, v: LinkAttrs): void {
  writePostOpAttr(w, v.fileAttributes);
  writeWcc(w, v.linkdirWcc);
}

export const LINK: ProcedureCodec<LinkArgs, LinkResult> = {
  proc: Nfs3Proc.LINK,
  name: 'LINK',
  readArgs(r) {
    const file = readFh(r);
    const link = readDirOpArgs(r);
    return { file, link };
  },
  writeArgs(w, a) {
    writeFh(w, a.file);
    writeDirOpArgs(w, a.link);
  },
  readResult: (r) => readResultOf(r, readLinkAttrs, readLinkAttrs),
  writeResult: (w, res) => writeResultOf(w, res, writeLinkAttrs, writeLinkAttrs),
};
