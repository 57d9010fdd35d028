/**
 * Network Lock Manager constants: version 4 from RFC 1813 section 6
 * (nlm4_*), versions 1 and 3 from the Open Group XNFS specification (nlm_*).
 */

export const NLM_PROGRAM = 100021;
export const NLM_V1 = 1;
/** Version 3 adds the DOS share procedures (SHARE, UNSHARE, NM_LOCK, FREE_ALL). */
export const NLM_V3 = 3;
/** Version 4 is version 3 with 64-bit offsets and more status codes. */
export const NLM_V4 = 4;

/** Bound of caller_name. */
export const LM_MAXSTRLEN = 1024;
/** Bound of FREE_ALL's name (MAXNAMELEN in nlm_prot.x, one more than LM_MAXSTRLEN for C's NUL). */
export const LM_MAXNAMELEN = LM_MAXSTRLEN + 1;
/** Bound of a netobj (cookie, file handle, owner handle). */
export const MAXNETOBJ_SZ = 1024;

/**
 * Procedure numbers, the same in every version (NLMPROC4_* in RFC 1813,
 * NLM_* in XNFS). Version 1 has 0-15; versions 3 and 4 add 20-23.
 * Each _MSG procedure is its call sent without waiting for a reply; the
 * server answers it later by calling the client's matching _RES procedure.
 */
export enum NlmProc {
  NULL = 0,
  TEST = 1,
  LOCK = 2,
  CANCEL = 3,
  UNLOCK = 4,
  GRANTED = 5,
  TEST_MSG = 6,
  LOCK_MSG = 7,
  CANCEL_MSG = 8,
  UNLOCK_MSG = 9,
  GRANTED_MSG = 10,
  TEST_RES = 11,
  LOCK_RES = 12,
  CANCEL_RES = 13,
  UNLOCK_RES = 14,
  GRANTED_RES = 15,
  SHARE = 20,
  UNSHARE = 21,
  NM_LOCK = 22,
  FREE_ALL = 23,
}

/**
 * nlm4_stats. Versions 1 and 3 (nlm_stats) have only GRANTED to DEADLCK;
 * the version 1/3 dialect in common.ts maps the rest when writing.
 */
export enum Nlm4Stat {
  GRANTED = 0,
  DENIED = 1,
  DENIED_NOLOCKS = 2,
  BLOCKED = 3,
  DENIED_GRACE_PERIOD = 4,
  DEADLCK = 5,
  ROFS = 6,
  STALE_FH = 7,
  FBIG = 8,
  FAILED = 9,
}

/** fsh4_mode (fsh_mode): the access a SHARE denies others (fsm_DN ... fsm_DRW). */
export enum FshMode {
  DN = 0,
  DR = 1,
  DW = 2,
  DRW = 3,
}

/** fsh4_access (fsh_access): the access a SHARE wants (fsa_NONE ... fsa_RW). */
export enum FshAccess {
  NONE = 0,
  R = 1,
  W = 2,
  RW = 3,
}
