/**
 * LOCK (NLMPROC4_LOCK = 2): take a byte-range lock, waiting for it (BLOCKED,
 * then a GRANTED callback) when `block` is set. LOCK_MSG and LOCK_RES are
 * its asynchronous pair; NM_LOCK (nm-lock.ts) takes the same arguments.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import {
  callWithMessages,
  inDialect,
  NLM_DIALECT,
  NLM4_DIALECT,
  readLock,
  readNetobj,
  readRes,
  writeLock,
  writeRes,
  type NlmCallCodecs,
  type NlmDialect,
} from './common.js';
import { NlmProc } from './constants.js';
import type { NlmLockArgs, NlmRes } from './types.js';

/** nlm4_lockargs. `state` is the client's NSM state number, `reclaim` marks a grace-period reclaim. */
export function readLockArgs(r: XdrReader, d: NlmDialect): NlmLockArgs {
  const cookie = readNetobj(r);
  const block = r.bool();
  const exclusive = r.bool();
  const alock = readLock(r, d);
  const reclaim = r.bool();
  const state = r.i32();
  return { cookie, block, exclusive, alock, reclaim, state };
}

export function writeLockArgs(w: XdrWriter, a: NlmLockArgs, d: NlmDialect): void {
  w.opaque(a.cookie).bool(a.block).bool(a.exclusive);
  writeLock(w, a.alock, d);
  w.bool(a.reclaim).i32(a.state);
}

function lockCodecs(d: NlmDialect): NlmCallCodecs<NlmLockArgs, NlmRes> {
  return callWithMessages(
    { call: NlmProc.LOCK, msg: NlmProc.LOCK_MSG, res: NlmProc.LOCK_RES },
    inDialect(d, readLockArgs, writeLockArgs),
    inDialect(d, readRes, writeRes),
  );
}

const v4 = lockCodecs(NLM4_DIALECT);
const v1 = lockCodecs(NLM_DIALECT);

export const NLMPROC4_LOCK = v4.call;
export const NLMPROC4_LOCK_MSG = v4.msg;
export const NLMPROC4_LOCK_RES = v4.res;
export const NLMPROC_LOCK = v1.call;
export const NLMPROC_LOCK_MSG = v1.msg;
export const NLMPROC_LOCK_RES = v1.res;
