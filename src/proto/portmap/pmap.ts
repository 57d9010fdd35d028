/** Port mapper version 2 (RFC 1833 section 3): (program, version, protocol) to port. */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import { readList, writeList } from '../nfs3/common.js';
import { NULL_CODEC, type ProcedureCodec } from '../procedure.js';
import { PmapProc } from './constants.js';

export interface Mapping {
  prog: number;
  vers: number;
  /** IPPROTO_TCP or IPPROTO_UDP (any value decodes; the registry refuses others). */
  prot: number;
  port: number;
}

export function readMapping(r: XdrReader): Mapping {
  const prog = r.u32();
  const vers = r.u32();
  const prot = r.u32();
  const port = r.u32();
  return { prog, vers, prot, port };
}

export function writeMapping(w: XdrWriter, m: Mapping): void {
  w.u32(m.prog).u32(m.vers).u32(m.prot).u32(m.port);
}

const readBool = (r: XdrReader): boolean => r.bool();
const writeBool = (w: XdrWriter, v: boolean): void => void w.bool(v);

/** SET and UNSET share their shape: a mapping in, success out. */
function mappingToBool(proc: PmapProc, name: string): ProcedureCodec<Mapping, boolean> {
  return { proc, name, readArgs: readMapping, writeArgs: writeMapping, readResult: readBool, writeResult: writeBool };
}

export const PMAPPROC_NULL: ProcedureCodec<void, void> = NULL_CODEC;

export const PMAPPROC_SET = mappingToBool(PmapProc.SET, 'SET');

/** The port of the mapping is ignored: every protocol of (prog, vers) is removed. */
export const PMAPPROC_UNSET = mappingToBool(PmapProc.UNSET, 'UNSET');

/** The result is the port, 0 when the program is not registered. */
export const PMAPPROC_GETPORT: ProcedureCodec<Mapping, number> = {
  proc: PmapProc.GETPORT,
  name: 'GETPORT',
  readArgs: readMapping,
  writeArgs: writeMapping,
  readResult: (r) => r.u32(),
  writeResult: (w, port) => void w.u32(port),
};

/** pmaplist: an XDR linked list of mappings, as an array. */
export const PMAPPROC_DUMP: ProcedureCodec<void, Mapping[]> = {
  proc: PmapProc.DUMP,
  name: 'DUMP',
  readArgs() {},
  writeArgs() {},
  readResult: (r) => readList(r, readMapping),
  writeResult: (w, list) => writeList(w, list, writeMapping),
};
