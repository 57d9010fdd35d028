/**
 * MOUNT version 1 (RFC 1094 appendix A). Only MNT differs from version 3;
 * the other procedures are the same on the wire, so their codecs are shared.
 * showmount(8) speaks version 1 for DUMP and EXPORT.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import { NULL_CODEC, type ProcedureCodec } from '../procedure.js';
import { readDirpath, readMountResult, writeDirpath, writeMountResult, type MountResult } from './common.js';
import { FHSIZE, MountProc } from './constants.js';
import { MOUNTPROC3_DUMP, MOUNTPROC3_EXPORT, MOUNTPROC3_UMNT, MOUNTPROC3_UMNTALL } from './v3.js';

/** fhstatus: on success, a handle of exactly FHSIZE bytes. */
export type FhStatus = MountResult<{ fhandle: Buffer }>;

function readFhandle(r: XdrReader): { fhandle: Buffer } {
  return { fhandle: r.fixedOpaque(FHSIZE) };
}

/** Refuses any other length: a short handle would shift everything after it. */
function writeFhandle(w: XdrWriter, ok: { fhandle: Buffer }): void {
  if (ok.fhandle.length !== FHSIZE) throw new RangeError(`fhandle of ${ok.fhandle.length} bytes, need ${FHSIZE}`);
  w.fixedOpaque(ok.fhandle);
}

export const MOUNTPROC_NULL: ProcedureCodec<void, void> = NULL_CODEC;

export const MOUNTPROC_MNT: ProcedureCodec<string, FhStatus> = {
  proc: MountProc.MNT,
  name: 'MNT',
  readArgs: readDirpath,
  writeArgs: writeDirpath,
  readResult: (r) => readMountResult(r, readFhandle),
  writeResult: (w, res) => writeMountResult(w, res, writeFhandle),
};

export const MOUNTPROC_DUMP = MOUNTPROC3_DUMP;
export const MOUNTPROC_UMNT = MOUNTPROC3_UMNT;
export const MOUNTPROC_UMNTALL = MOUNTPROC3_UMNTALL;
export const MOUNTPROC_EXPORT = MOUNTPROC3_EXPORT;
