/**
 * NM_LOCK (NLMPROC4_NM_LOCK = 22, versions 3 and 4): LOCK for a client that
 * runs no status monitor, so the server will not watch it for reboots.
 * LOCK's arguments (block is always false) and reply.
 */
import type { ProcedureCodec } from '../procedure.js';
import { inDialect, NLM_DIALECT, NLM4_DIALECT, procedure, readRes, writeRes, type NlmDialect } from './common.js';
import { NlmProc } from './constants.js';
import { readLockArgs, writeLockArgs } from './lock.js';
import type { NlmLockArgs, NlmRes } from './types.js';

function nmLock(d: NlmDialect): ProcedureCodec<NlmLockArgs, NlmRes> {
  return procedure(NlmProc.NM_LOCK, inDialect(d, readLockArgs, writeLockArgs), inDialect(d, readRes, writeRes));
}

export const NLMPROC4_NM_LOCK = nmLock(NLM4_DIALECT);
export const NLMPROC_NM_LOCK = nmLock(NLM_DIALECT);
