/**
 * CANCEL (NLMPROC4_CANCEL = 3): withdraw a blocked LOCK request. CANCEL_MSG
 * and CANCEL_RES are its asynchronous pair.
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
import type { NlmCancelArgs, NlmRes } from './types.js';

/** nlm4_cancargs. */
export function readCancelArgs(r: XdrReader, d: NlmDialect): NlmCancelArgs {
  const cookie = readNetobj(r);
  const block = r.bool();
  const exclusive = r.bool();
  const alock = readLock(r, d);
  return { cookie, block, exclusive, alock };
}

export function writeCancelArgs(w: XdrWriter, a: NlmCancelArgs, d: NlmDialect): void {
  w.opaque(a.cookie).bool(a.block).bool(a.exclusive);
  writeLock(w, a.alock, d);
}

function cancelCodecs(d: NlmDialect): NlmCallCodecs<NlmCancelArgs, NlmRes> {
  return callWithMessages(
    { call: NlmProc.CANCEL, msg: NlmProc.CANCEL_MSG, res: NlmProc.CANCEL_RES },
    inDialect(d, readCancelArgs, writeCancelArgs),
    inDialect(d, readRes, writeRes),
  );
}

const v4 = cancelCodecs(NLM4_DIALECT);
const v1 = cancelCodecs(NLM_DIALECT);

export const NLMPROC4_CANCEL = v4.call;
export const NLMPROC4_CANCEL_MSG = v4.msg;
export const NLMPROC4_CANCEL_RES = v4.res;
export const NLMPROC_CANCEL = v1.call;
export const NLMPROC_CANCEL_MSG = v1.msg;
export const NLMPROC_CANCEL_RES = v1.res;
