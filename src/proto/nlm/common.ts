/**
 * NLM types shared by the procedures, written once for two wire dialects:
 * version 4 (RFC 1813 section 6: uint64 offsets and lengths, nlm4_stats 0-9)
 * and versions 1 and 3 (XNFS: 32-bit offsets and lengths, nlm_stats 0-5).
 * Decoded values have the same shape in both, so handlers are shared.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import type { ProcedureCodec } from '../procedure.js';
import { LM_MAXSTRLEN, MAXNETOBJ_SZ, Nlm4Stat, NlmProc } from './constants.js';
import type { NlmHolder, NlmLock, NlmRes, NlmTestRes } from './types.js';

/** What differs on the wire between version 4 and versions 1/3. */
export interface NlmDialect {
  /** "nlm4" or "nlm", the XDR type prefix, for messages. */
  readonly prefix: string;
  readOffset(r: XdrReader): bigint;
  writeOffset(w: XdrWriter, v: bigint): void;
  readStat(r: XdrReader): Nlm4Stat;
  writeStat(w: XdrWriter, stat: Nlm4Stat): void;
}

function statReader(max: Nlm4Stat, what: string): (r: XdrReader) => Nlm4Stat {
  const allowed: ReadonlySet<number> = new Set(Array.from({ length: max + 1 }, (_, i) => i));
  return (r) => r.enumOf<Nlm4Stat>(allowed, what);
}

/** Version 4: uint64 offsets and lengths, every nlm4_stats value. */
export const NLM4_DIALECT: NlmDialect = {
  prefix: 'nlm4',
  readOffset: (r) => r.u64(),
  writeOffset: (w, v) => void w.u64(v),
  readStat: statReader(Nlm4Stat.FAILED, 'nlm4_stats'),
  writeStat: (w, stat) => void w.u32(stat),
};

const U32_MAX = 0xffff_ffffn;

/**
 * Versions 1 and 3: unsigned 32-bit offsets and lengths and nlm_stats
 * (nlm_granted .. nlm_deadlck). A range beyond 4 GiB clamps to the largest
 * a 32-bit client can name; a length of 0 (to end of file) stays 0.
 *
 * Handlers speak Nlm4Stat for every version, so the statuses version 4 added
 * (ROFS, STALE_FH, FBIG, FAILED) go out as DENIED_NOLOCKS, as Linux knfsd
 * answers old clients: a refusal the client will not retry forever, unlike
 * DENIED_GRACE_PERIOD or BLOCKED, and one every nlm_stats client knows.
 */
export const NLM_DIALECT: NlmDialect = {
  prefix: 'nlm',
  readOffset: (r) => BigInt(r.u32()),
  writeOffset: (w, v) => void w.u32(Number(v > U32_MAX ? U32_MAX : v)),
  readStat: statReader(Nlm4Stat.DEADLCK, 'nlm_stats'),
  writeStat: (w, stat) => void w.u32(stat > Nlm4Stat.DEADLCK ? Nlm4Stat.DENIED_NOLOCKS : stat),
};

/** One XDR type's reader and writer, with the dialect bound. */
export interface XdrType<T> {
  read(r: XdrReader): T;
  write(w: XdrWriter, v: T): void;
}

export type DialectRead<T> = (r: XdrReader, d: NlmDialect) => T;
export type DialectWrite<T> = (w: XdrWriter, v: T, d: NlmDialect) => void;

export function inDialect<T>(d: NlmDialect, read: DialectRead<T>, write: DialectWrite<T>): XdrType<T> {
  return { read: (r) => read(r, d), write: (w, v) => write(w, v, d) };
}

export const VOID: XdrType<void> = { read() {}, write() {} };

export function procedure<A, R>(proc: NlmProc, args: XdrType<A>, result: XdrType<R>): ProcedureCodec<A, R> {
  return {
    proc,
    name: NlmProc[proc]!,
    readArgs: args.read,
    writeArgs: args.write,
    readResult: result.read,
    writeResult: result.write,
  };
}

/**
 * A call with its asynchronous pair: the _MSG procedure carries the call's
 * arguments and has a void reply; the server later sends the result as the
 * ARGUMENT of a _RES call back to the client, whose reply is void as well.
 */
export interface NlmCallCodecs<A, R> {
  call: ProcedureCodec<A, R>;
  msg: ProcedureCodec<A, void>;
  res: ProcedureCodec<R, void>;
}

export function callWithMessages<A, R>(
  procs: { call: NlmProc; msg: NlmProc; res: NlmProc },
  args: XdrType<A>,
  result: XdrType<R>,
): NlmCallCodecs<A, R> {
  return {
    call: procedure(procs.call, args, result),
    msg: procedure(procs.msg, args, VOID),
    res: procedure(procs.res, result, VOID),
  };
}

/** netobj: opaque<MAXNETOBJ_SZ> (cookie, fh, oh), as a view into the message. */
export function readNetobj(r: XdrReader): Buffer {
  return r.opaque(MAXNETOBJ_SZ);
}

export function readCallerName(r: XdrReader): string {
  return r.string(LM_MAXSTRLEN);
}

/** nlm4_lock / nlm_lock. */
export function readLock(r: XdrReader, d: NlmDialect): NlmLock {
  const callerName = readCallerName(r);
  const fh = readNetobj(r);
  const oh = readNetobj(r);
  const svid = r.i32();
  const offset = d.readOffset(r);
  const length = d.readOffset(r);
  return { callerName, fh, oh, svid, offset, length };
}

export function writeLock(w: XdrWriter, l: NlmLock, d: NlmDialect): void {
  w.string(l.callerName).opaque(l.fh).opaque(l.oh).i32(l.svid);
  d.writeOffset(w, l.offset);
  d.writeOffset(w, l.length);
}

/** nlm4_holder / nlm_holder. */
export function readHolder(r: XdrReader, d: NlmDialect): NlmHolder {
  const exclusive = r.bool();
  const svid = r.i32();
  const oh = readNetobj(r);
  const offset = d.readOffset(r);
  const length = d.readOffset(r);
  return { exclusive, svid, oh, offset, length };
}

export function writeHolder(w: XdrWriter, h: NlmHolder, d: NlmDialect): void {
  w.bool(h.exclusive).i32(h.svid).opaque(h.oh);
  d.writeOffset(w, h.offset);
  d.writeOffset(w, h.length);
}

/** nlm4_res: the reply of LOCK, CANCEL, UNLOCK, GRANTED and NM_LOCK. */
export function readRes(r: XdrReader, d: NlmDialect): NlmRes {
  const cookie = readNetobj(r);
  const stat = d.readStat(r);
  return { cookie, stat };
}

export function writeRes(w: XdrWriter, res: NlmRes, d: NlmDialect): void {
  w.opaque(res.cookie);
  d.writeStat(w, res.stat);
}

/** nlm4_testres: the nlm4_testrply union carries the holder in its DENIED arm only. */
export function readTestRes(r: XdrReader, d: NlmDialect): NlmTestRes {
  const { cookie, stat } = readRes(r, d);
  return stat === Nlm4Stat.DENIED ? { cookie, stat, holder: readHolder(r, d) } : { cookie, stat };
}

/** Refuses DENIED without a holder: the union arm cannot be left out. A holder with any other stat is not sent. */
export function writeTestRes(w: XdrWriter, res: NlmTestRes, d: NlmDialect): void {
  writeRes(w, res, d);
  if (res.stat !== Nlm4Stat.DENIED) return;
  if (!res.holder) throw new RangeError(`${d.prefix}_testres DENIED without a holder`);
  writeHolder(w, res.holder, d);
}
