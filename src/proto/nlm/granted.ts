/**
 * GRANTED (NLMPROC4_GRANTED = 5): the server's callback to a client whose
 * blocked LOCK has now been granted; the client's lock manager serves it.
 * GRANTED_MSG and GRANTED_RES are its asynchronous pair.
 */
import {
  callWithMessages,
  inDialect,
  NLM_DIALECT,
  NLM4_DIALECT,
  readRes,
  writeRes,
  type NlmCallCodecs,
  type NlmDialect,
} from './common.js';
import { NlmProc } from './constants.js';
import { readTestArgs, writeTestArgs } from './test.js';
import type { NlmRes, NlmTestArgs } from './types.js';

function grantedCodecs(d: NlmDialect): NlmCallCodecs<NlmTestArgs, NlmRes> {
  return callWithMessages(
    { call: NlmProc.GRANTED, msg: NlmProc.GRANTED_MSG, res: NlmProc.GRANTED_RES },
    inDialect(d, readTestArgs, writeTestArgs),
    inDialect(d, readRes, writeRes),
  );
}

const v4 = grantedCodecs(NLM4_DIALECT);
const v1 = grantedCodecs(NLM_DIALECT);

export const NLMPROC4_GRANTED = v4.call;
export const NLMPROC4_GRANTED_MSG = v4.msg;
export const NLMPROC4_GRANTED_RES = v4.res;
export const NLMPROC_GRANTED = v1.call;
export const NLMPROC_GRANTED_MSG = v1.msg;
export const NLMPROC_GRANTED_RES = v1.res;
