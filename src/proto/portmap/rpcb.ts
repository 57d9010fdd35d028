/**
 * rpcbind versions 3 and 4 (RFC 1833 section 2): (program, version, netid)
 * to universal address. Linux mount.nfs and libtirpc ask v4, then v3, and
 * only then port mapper v2. Both versions share these codecs; GETVERSADDR
 * exists in v4 only.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import { readList, writeList } from '../nfs3/common.js';
import { NULL_CODEC, type ProcedureCodec } from '../procedure.js';
import { RPCB_MAX_STRING, RpcbProc } from './constants.js';

export interface Rpcb {
  prog: number;
  vers: number;
  /** "tcp", "udp", "tcp6", "udp6", ...; empty in UNSET means every netid. */
  netid: string;
  /** Universal address, e.g. "127.0.0.1.8.1" (see uaddr.ts). */
  addr: string;
  owner: string;
}

const readString = (r: XdrReader): string => r.string(RPCB_MAX_STRING);
const writeString = (w: XdrWriter, s: string): void => void w.string(s);
const readBool = (r: XdrReader): boolean => r.bool();
const writeBool = (w: XdrWriter, v: boolean): void => void w.bool(v);

export function readRpcb(r: XdrReader): Rpcb {
  const prog = r.u32();
  const vers = r.u32();
  const netid = readString(r);
  const addr = readString(r);
  const owner = readString(r);
  return { prog, vers, netid, addr, owner };
}

export function writeRpcb(w: XdrWriter, b: Rpcb): void {
  w.u32(b.prog).u32(b.vers).string(b.netid).string(b.addr).string(b.owner);
}

function rpcbCall<R>(
  proc: RpcbProc,
  name: string,
  readResult: (r: XdrReader) => R,
  writeResult: (w: XdrWriter, v: R) => void,
): ProcedureCodec<Rpcb, R> {
  return { proc, name, readArgs: readRpcb, writeArgs: writeRpcb, readResult, writeResult };
}

export const RPCBPROC_NULL: ProcedureCodec<void, void> = NULL_CODEC;

export const RPCBPROC_SET = rpcbCall(RpcbProc.SET, 'SET', readBool, writeBool);

export const RPCBPROC_UNSET = rpcbCall(RpcbProc.UNSET, 'UNSET', readBool, writeBool);

/** The universal address, or "" when the program is not registered. */
export const RPCBPROC_GETADDR = rpcbCall(RpcbProc.GETADDR, 'GETADDR', readString, writeString);

/** As GETADDR, but only the exact version answers (v4 only). */
export const RPCBPROC_GETVERSADDR = rpcbCall(RpcbProc.GETVERSADDR, 'GETVERSADDR', readString, writeString);

/** rpcblist_ptr: an XDR linked list of rpcb, as an array. */
export const RPCBPROC_DUMP: ProcedureCodec<void, Rpcb[]> = {
  proc: RpcbProc.DUMP,
  name: 'DUMP',
  readArgs() {},
  writeArgs() {},
  readResult: (r) => readList(r, readRpcb),
  writeResult: (w, list) => writeList(w, list, writeRpcb),
};

/** The server's time in seconds since the epoch. */
export const RPCBPROC_GETTIME: ProcedureCodec<void, number> = {
  proc: RpcbProc.GETTIME,
  name: 'GETTIME',
  readArgs() {},
  writeArgs() {},
  readResult: (r) => r.u32(),
  writeResult: (w, t) => void w.u32(t),
};
