/**
 * Every NLM codec per version, keyed by procedure name (NlmProc), so a
 * handler table can be built per version from handlers written once against
 * the shared types. `Object.values(NLM4_CODECS)` lists a version's codecs.
 */
import { NULL_CODEC, type ProcedureCodec } from '../procedure.js';
import { NLM_V3, NLM_V4 } from './constants.js';
import {
  NLMPROC_CANCEL,
  NLMPROC_CANCEL_MSG,
  NLMPROC_CANCEL_RES,
  NLMPROC4_CANCEL,
  NLMPROC4_CANCEL_MSG,
  NLMPROC4_CANCEL_RES,
} from './cancel.js';
import { NLMPROC_FREE_ALL, NLMPROC4_FREE_ALL } from './free-all.js';
import {
  NLMPROC_GRANTED,
  NLMPROC_GRANTED_MSG,
  NLMPROC_GRANTED_RES,
  NLMPROC4_GRANTED,
  NLMPROC4_GRANTED_MSG,
  NLMPROC4_GRANTED_RES,
} from './granted.js';
import {
  NLMPROC_LOCK,
  NLMPROC_LOCK_MSG,
  NLMPROC_LOCK_RES,
  NLMPROC4_LOCK,
  NLMPROC4_LOCK_MSG,
  NLMPROC4_LOCK_RES,
} from './lock.js';
import { NLMPROC_NM_LOCK, NLMPROC4_NM_LOCK } from './nm-lock.js';
import { NLMPROC_SHARE, NLMPROC4_SHARE } from './share.js';
import {
  NLMPROC_TEST,
  NLMPROC_TEST_MSG,
  NLMPROC_TEST_RES,
  NLMPROC4_TEST,
  NLMPROC4_TEST_MSG,
  NLMPROC4_TEST_RES,
} from './test.js';
import type {
  NlmCancelArgs,
  NlmLockArgs,
  NlmNotify,
  NlmRes,
  NlmShareArgs,
  NlmShareRes,
  NlmTestArgs,
  NlmTestRes,
  NlmUnlockArgs,
} from './types.js';
import {
  NLMPROC_UNLOCK,
  NLMPROC_UNLOCK_MSG,
  NLMPROC_UNLOCK_RES,
  NLMPROC4_UNLOCK,
  NLMPROC4_UNLOCK_MSG,
  NLMPROC4_UNLOCK_RES,
} from './unlock.js';
import { NLMPROC_UNSHARE, NLMPROC4_UNSHARE } from './unshare.js';

/** Version 1: procedures 0-15. */
export interface NlmV1Codecs {
  NULL: ProcedureCodec<void, void>;
  TEST: ProcedureCodec<NlmTestArgs, NlmTestRes>;
  LOCK: ProcedureCodec<NlmLockArgs, NlmRes>;
  CANCEL: ProcedureCodec<NlmCancelArgs, NlmRes>;
  UNLOCK: ProcedureCodec<NlmUnlockArgs, NlmRes>;
  GRANTED: ProcedureCodec<NlmTestArgs, NlmRes>;
  TEST_MSG: ProcedureCodec<NlmTestArgs, void>;
  LOCK_MSG: ProcedureCodec<NlmLockArgs, void>;
  CANCEL_MSG: ProcedureCodec<NlmCancelArgs, void>;
  UNLOCK_MSG: ProcedureCodec<NlmUnlockArgs, void>;
  GRANTED_MSG: ProcedureCodec<NlmTestArgs, void>;
  TEST_RES: ProcedureCodec<NlmTestRes, void>;
  LOCK_RES: ProcedureCodec<NlmRes, void>;
  CANCEL_RES: ProcedureCodec<NlmRes, void>;
  UNLOCK_RES: ProcedureCodec<NlmRes, void>;
  GRANTED_RES: ProcedureCodec<NlmRes, void>;
}

/** Versions 3 and 4: version 1's procedures plus 20-23. */
export interface NlmV3Codecs extends NlmV1Codecs {
  SHARE: ProcedureCodec<NlmShareArgs, NlmShareRes>;
  UNSHARE: ProcedureCodec<NlmShareArgs, NlmShareRes>;
  NM_LOCK: ProcedureCodec<NlmLockArgs, NlmRes>;
  FREE_ALL: ProcedureCodec<NlmNotify, void>;
}

export const NLM_V1_CODECS: Readonly<NlmV1Codecs> = Object.freeze({
  NULL: NULL_CODEC,
  TEST: NLMPROC_TEST,
  LOCK: NLMPROC_LOCK,
  CANCEL: NLMPROC_CANCEL,
  UNLOCK: NLMPROC_UNLOCK,
  GRANTED: NLMPROC_GRANTED,
  TEST_MSG: NLMPROC_TEST_MSG,
  LOCK_MSG: NLMPROC_LOCK_MSG,
  CANCEL_MSG: NLMPROC_CANCEL_MSG,
  UNLOCK_MSG: NLMPROC_UNLOCK_MSG,
  GRANTED_MSG: NLMPROC_GRANTED_MSG,
  TEST_RES: NLMPROC_TEST_RES,
  LOCK_RES: NLMPROC_LOCK_RES,
  CANCEL_RES: NLMPROC_CANCEL_RES,
  UNLOCK_RES: NLMPROC_UNLOCK_RES,
  GRANTED_RES: NLMPROC_GRANTED_RES,
});

export const NLM_V3_CODECS: Readonly<NlmV3Codecs> = Object.freeze({
  ...NLM_V1_CODECS,
  SHARE: NLMPROC_SHARE,
  UNSHARE: NLMPROC_UNSHARE,
  NM_LOCK: NLMPROC_NM_LOCK,
  FREE_ALL: NLMPROC_FREE_ALL,
});

export const NLM4_CODECS: Readonly<NlmV3Codecs> = Object.freeze({
  NULL: NULL_CODEC,
  TEST: NLMPROC4_TEST,
  LOCK: NLMPROC4_LOCK,
  CANCEL: NLMPROC4_CANCEL,
  UNLOCK: NLMPROC4_UNLOCK,
  GRANTED: NLMPROC4_GRANTED,
  TEST_MSG: NLMPROC4_TEST_MSG,
  LOCK_MSG: NLMPROC4_LOCK_MSG,
  CANCEL_MSG: NLMPROC4_CANCEL_MSG,
  UNLOCK_MSG: NLMPROC4_UNLOCK_MSG,
  GRANTED_MSG: NLMPROC4_GRANTED_MSG,
  TEST_RES: NLMPROC4_TEST_RES,
  LOCK_RES: NLMPROC4_LOCK_RES,
  CANCEL_RES: NLMPROC4_CANCEL_RES,
  UNLOCK_RES: NLMPROC4_UNLOCK_RES,
  GRANTED_RES: NLMPROC4_GRANTED_RES,
  SHARE: NLMPROC4_SHARE,
  UNSHARE: NLMPROC4_UNSHARE,
  NM_LOCK: NLMPROC4_NM_LOCK,
  FREE_ALL: NLMPROC4_FREE_ALL,
});

/** A version's codecs (GRANTED and the _RES procedures are in every version). */
export function nlmCodecs(vers: number): Readonly<NlmV1Codecs> {
  return vers === NLM_V4 ? NLM4_CODECS : vers === NLM_V3 ? NLM_V3_CODECS : NLM_V1_CODECS;
}
