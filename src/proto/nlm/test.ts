/**
 * TEST (NLMPROC4_TEST = 1): would this lock be granted? If not, the reply
 * names the conflicting holder. TEST_MSG and TEST_RES are its asynchronous pair.
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
  readTestRes,
  writeLock,
  writeTestRes,
  type NlmCallCodecs,
  type NlmDialect,
} from './common.js';
import { NlmProc } from './constants.js';
import type { NlmTestArgs, NlmTestRes } from './types.js';

/** nlm4_testargs; GRANTED's argument too. */
export function readTestArgs(r: XdrReader, d: NlmDialect): NlmTestArgs {
  const cookie = readNetobj(r);
  const exclusive = r.bool();
  const alock = readLock(r, d);
  return { cookie, exclusive, alock };
}

export function writeTestArgs(w: XdrWriter, a: NlmTestArgs, d: NlmDialect): void {
  w.opaque(a.cookie).bool(a.exclusive);
  writeLock(w, a.alock, d);
}

function testCodecs(d: NlmDialect): NlmCallCodecs<NlmTestArgs, NlmTestRes> {
  return callWithMessages(
    { call: NlmProc.TEST, msg: NlmProc.TEST_MSG, res: NlmProc.TEST_RES },
    inDialect(d, readTestArgs, writeTestArgs),
    inDialect(d, readTestRes, writeTestRes),
  );
}

const v4 = testCodecs(NLM4_DIALECT);
const v1 = testCodecs(NLM_DIALECT);

export const NLMPROC4_TEST = v4.call;
export const NLMPROC4_TEST_MSG = v4.msg;
export const NLMPROC4_TEST_RES = v4.res;
export const NLMPROC_TEST = v1.call;
export const NLMPROC_TEST_MSG = v1.msg;
export const NLMPROC_TEST_RES = v1.res;
