/**
 * rpc_msg (RFC 5531 section 9): call headers, reply headers and the reject forms.
 *
 * Pure codec: it turns bytes into headers and headers into bytes. Procedure
 * arguments and results are appended or read by the program modules.
 */
import { XdrError, XdrReader } from '../xdr/reader.js';
import { XdrWriter } from '../xdr/writer.js';
import { AUTH_NONE, OpaqueAuth, readOpaqueAuth, writeOpaqueAuth } from './auth.js';
import { AcceptStat, AuthStat, MsgType, RejectStat, ReplyStat, RPC_VERSION } from './constants.js';

export interface CallHeader {
  xid: number;
  rpcvers: number;
  prog: number;
  vers: number;
  proc: number;
  cred: OpaqueAuth;
  verf: OpaqueAuth;
}

/**
 * Decodes a call header and leaves `r` at the first byte of the arguments.
 * Throws XdrError when the header itself is malformed (the caller then has no
 * trustworthy xid to reply to, beyond the first word, and drops the record).
 */
export function readCallHeader(r: XdrReader): CallHeader {
  const xid = r.u32();
  const type = r.u32();
  if (type !== MsgType.CALL) throw new XdrError(`message type ${type} is not CALL`);
  return {
    xid,
    rpcvers: r.u32(),
    prog: r.u32(),
    vers: r.u32(),
    proc: r.u32(),
    cred: readOpaqueAuth(r),
    verf: readOpaqueAuth(r),
  };
}

export function writeCallHeader(w: XdrWriter, h: Omit<CallHeader, 'rpcvers'>): void {
  w.u32(h.xid).u32(MsgType.CALL).u32(RPC_VERSION).u32(h.prog).u32(h.vers).u32(h.proc);
  writeOpaqueAuth(w, h.cred);
  writeOpaqueAuth(w, h.verf);
}

/** Starts an accepted SUCCESS reply; the procedure's results follow. */
export function writeSuccessHeader(w: XdrWriter, xid: number, verf: OpaqueAuth = AUTH_NONE): void {
  w.u32(xid).u32(MsgType.REPLY).u32(ReplyStat.MSG_ACCEPTED);
  writeOpaqueAuth(w, verf);
  w.u32(AcceptStat.SUCCESS);
}

/** A complete accepted reply with an error status (PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR). */
export function writeAcceptError(
  w: XdrWriter,
  xid: number,
  stat: Exclude<AcceptStat, AcceptStat.SUCCESS>,
  mismatch?: { low: number; high: number },
): void {
  w.u32(xid).u32(MsgType.REPLY).u32(ReplyStat.MSG_ACCEPTED);
  writeOpaqueAuth(w, AUTH_NONE);
  w.u32(stat);
  if (stat === AcceptStat.PROG_MISMATCH) {
    if (!mismatch) throw new Error('PROG_MISMATCH needs the supported version range');
    w.u32(mismatch.low).u32(mismatch.high);
  }
}

export function writeRpcMismatch(w: XdrWriter, xid: number): void {
  w.u32(xid).u32(MsgType.REPLY).u32(ReplyStat.MSG_DENIED).u32(RejectStat.RPC_MISMATCH);
  w.u32(RPC_VERSION).u32(RPC_VERSION);
}

export function writeAuthError(w: XdrWriter, xid: number, stat: AuthStat): void {
  w.u32(xid).u32(MsgType.REPLY).u32(ReplyStat.MSG_DENIED).u32(RejectStat.AUTH_ERROR).u32(stat);
}

/** A decoded reply header, as the client sees it. */
export type ReplyHeader =
  | { xid: number; kind: 'success'; verf: OpaqueAuth }
  | { xid: number; kind: 'accept-error'; stat: AcceptStat; low?: number; high?: number }
  | { xid: number; kind: 'rpc-mismatch'; low: number; high: number }
  | { xid: number; kind: 'auth-error'; stat: AuthStat };

/** Decodes a reply header; on success `r` is left at the first byte of the results. */
export function readReplyHeader(r: XdrReader): ReplyHeader {
  const xid = r.u32();
  const type = r.u32();
  if (type !== MsgType.REPLY) throw new XdrError(`message type ${type} is not REPLY`);
  const replyStat = r.u32();
  if (replyStat === ReplyStat.MSG_ACCEPTED) {
    const verf = readOpaqueAuth(r);
    const stat = r.u32() as AcceptStat;
    if (stat === AcceptStat.SUCCESS) return { xid, kind: 'success', verf };
    if (stat === AcceptStat.PROG_MISMATCH) return { xid, kind: 'accept-error', stat, low: r.u32(), high: r.u32() };
    if (stat > AcceptStat.SYSTEM_ERR) throw new XdrError(`bad accept_stat ${stat}`);
    return { xid, kind: 'accept-error', stat };
  }
  if (replyStat === ReplyStat.MSG_DENIED) {
    const rej = r.u32();
    if (rej === RejectStat.RPC_MISMATCH) return { xid, kind: 'rpc-mismatch', low: r.u32(), high: r.u32() };
    if (rej === RejectStat.AUTH_ERROR) return { xid, kind: 'auth-error', stat: r.u32() as AuthStat };
    throw new XdrError(`bad reject_stat ${rej}`);
  }
  throw new XdrError(`bad reply_stat ${replyStat}`);
}
