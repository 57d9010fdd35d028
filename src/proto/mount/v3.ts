/** MOUNT version 3 (RFC 1813 appendix I). */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import { NULL_CODEC, type ProcedureCodec } from '../procedure.js';
import {
  readDirpath,
  readExports,
  readMountList,
  readMountResult,
  writeDirpath,
  writeExports,
  writeMountList,
  writeMountResult,
  type ExportNode,
  type MountBody,
  type MountResult,
} from './common.js';
import { FHSIZE3, MAX_AUTH_FLAVORS, MountProc } from './constants.js';

export interface MountOk3 {
  fhandle: Buffer;
  /** Flavors the client may use on the export, most preferred first. */
  authFlavors: number[];
}

/** mountres3. */
export type MountRes3 = MountResult<MountOk3>;

function readMountOk3(r: XdrReader): MountOk3 {
  const fhandle = r.opaque(FHSIZE3);
  const authFlavors = r.array(MAX_AUTH_FLAVORS, (x) => x.i32());
  return { fhandle, authFlavors };
}

function writeMountOk3(w: XdrWriter, ok: MountOk3): void {
  w.opaque(ok.fhandle);
  w.array(ok.authFlavors, (x, f) => x.i32(f));
}

const voidArgs = { readArgs() {}, writeArgs() {} };
const voidResult = { readResult() {}, writeResult() {} };

export const MOUNTPROC3_NULL: ProcedureCodec<void, void> = NULL_CODEC;

/** The argument is the dirpath to mount. */
export const MOUNTPROC3_MNT: ProcedureCodec<string, MountRes3> = {
  proc: MountProc.MNT,
  name: 'MNT',
  readArgs: readDirpath,
  writeArgs: writeDirpath,
  readResult: (r) => readMountResult(r, readMountOk3),
  writeResult: (w, res) => writeMountResult(w, res, writeMountOk3),
};

export const MOUNTPROC3_DUMP: ProcedureCodec<void, MountBody[]> = {
  proc: MountProc.DUMP,
  name: 'DUMP',
  ...voidArgs,
  readResult: readMountList,
  writeResult: writeMountList,
};

/** The reply is void: no status word (RFC 1813; one server appends one and breaks strict clients). */
export const MOUNTPROC3_UMNT: ProcedureCodec<string, void> = {
  proc: MountProc.UMNT,
  name: 'UMNT',
  readArgs: readDirpath,
  writeArgs: writeDirpath,
  ...voidResult,
};

export const MOUNTPROC3_UMNTALL: ProcedureCodec<void, void> = {
  proc: MountProc.UMNTALL,
  name: 'UMNTALL',
  ...voidArgs,
  ...voidResult,
};

export const MOUNTPROC3_EXPORT: ProcedureCodec<void, ExportNode[]> = {
  proc: MountProc.EXPORT,
  name: 'EXPORT',
  ...voidArgs,
  readResult: readExports,
  writeResult: writeExports,
};
