/**
 * UNLOCK (NLMPROC4_UNLOCK = 4): release a byte range. UNLOCK_MSG and
 * UNLOCK_RES are its asynchronous pair.
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
import type { NlmRes, NlmUnlockArgs } from './types.js';

/** nlm4_unlockargs. */
export function readUnlockArgs(r: XdrReader, d: NlmDialect): NlmUnlockArgs {
  const cookie = readNetobj(r);
  const alock = readLock(r, d);
  return { cookie, alock };
}

export function writeUnlockArgs(w: XdrWriter, a: NlmUnlockArgs, d: NlmDialect): void {
  w.opaque(a.cookie);
  writeLock(w, a.alock, d);
}

function unlockCodecs(d: NlmDialect): NlmCallCodecs<NlmUnlockArgs, NlmRes> {
  return callWithMessages(
    { call: NlmProc.UNLOCK, msg: NlmProc.UNLOCK_MSG, res: NlmProc.UNLOCK_RES },
    inDialect(d, readUnlockArgs, writeUnlockArgs),
    inDialect(d, readRes, writeRes),
  );
}

const v4 = unlockCodecs(NLM4_DIALECT);
const v1 = unlockCodecs(NLM_DIALECT);

export const NLMPROC4_UNLOCK = v4.call;
export const NLMPROC4_UNLOCK_MSG = v4.msg;
export const NLMPROC4_UNLOCK_RES = v4.res;
export const NLMPROC_UNLOCK = v1.call;
export const NLMPROC_UNLOCK_MSG = v1.msg;
export const NLMPROC_UNLOCK_RES = v1.res;
