/** MKNOD (RFC 1813 section 3.3.11): a device, socket or FIFO. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { Ftype3, Nfs3Proc } from './constants.js';
import {
  readDirOpArgs,
  readFtype,
  readNewObjectResult,
  readSattr,
  readSpecData,
  writeDirOpArgs,
  writeNewObjectResult,
  writeSattr,
  writeSpecData,
  type DirOpArgs,
  type NewObjectResult,
} from './common.js';
import type { Sattr3, SpecData3 } from './types.js';

/** devicedata3. */
export interface DeviceData3 {
  devAttributes: Sattr3;
  spec: SpecData3;
}

/**
 * mknoddata3. The void arm (REG, DIR, LNK) decodes: refusing those types is
 * the server's NFS3ERR_BADTYPE, not a garbled request.
 */
export type MknodData3 =
  | { type: Ftype3.CHR | Ftype3.BLK; device: DeviceData3 }
  | { type: Ftype3.SOCK | Ftype3.FIFO; pipeAttributes: Sattr3 }
  | { type: Ftype3.REG | Ftype3.DIR | Ftype3.LNK };

export interface MknodArgs {
  where: DirOpArgs;
  what: MknodData3;
}

export type MknodResult = NewObjectResult;

function readMknodData(r: XdrReader): MknodData3 {
  const type = readFtype(r);
  switch (type) {
    case Ftype3.CHR:
    case Ftype3.BLK:
      return { type, device: { devAttributes: readSattr(r), spec: readSpecData(r) } };
    case Ftype3.SOCK:
    case Ftype3.FIFO:
      return { type, pipeAttributes: readSattr(r) };
    default:
      return { type };
  }
}

function writeMknodData(w: XdrWriter, what: MknodData3): void {
  w.u32(what.type);
  switch (what.type) {
    case Ftype3.CHR:
    case Ftype3.BLK:
      writeSattr(w, what.device.devAttributes);
      writeSpecData(w, what.device.spec);
      break;
    case Ftype3.SOCK:
    case Ftype3.FIFO:
      writeSattr(w, what.pipeAttributes);
      break;
  }
}

export const MKNOD: ProcedureCodec<MknodArgs, MknodResult> = {
  proc: Nfs3Proc.MKNOD,
  name: 'MKNOD',
  readArgs: (r) => ({ where: readDirOpArgs(r), what: readMknodData(r) }),
  writeArgs: (w, a) => {
    writeDirOpArgs(w, a.where);
    writeMknodData(w, a.what);
  },
  readResult: readNewObjectResult,
  writeResult: writeNewObjectResult,
};
