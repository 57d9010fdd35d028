/**
 * NLM argument and result types, one shape for every version: offsets and
 * lengths are bigint even where the wire carries 32 bits (versions 1 and 3),
 * so handlers are shared across versions. A length of 0 means "to end of file".
 * Buffers decoded from the wire are views into the message.
 */
import type { FshAccess, FshMode, Nlm4Stat } from './constants.js';

/** nlm4_lock / nlm_lock. svid is the locking process on the client (uppid in XNFS). */
export interface NlmLock {
  callerName: string;
  fh: Buffer;
  oh: Buffer;
  svid: number;
  offset: bigint;
  length: bigint;
}

/** nlm4_holder / nlm_holder: the lock that conflicts, in a TEST reply. */
export interface NlmHolder {
  exclusive: boolean;
  svid: number;
  oh: Buffer;
  offset: bigint;
  length: bigint;
}

/** nlm4_testargs; also GRANTED's argument. */
export interface NlmTestArgs {
  cookie: Buffer;
  exclusive: boolean;
  alock: NlmLock;
}

/** nlm4_lockargs; also NM_LOCK's argument. */
export interface NlmLockArgs {
  cookie: Buffer;
  block: boolean;
  exclusive: boolean;
  alock: NlmLock;
  reclaim: boolean;
  state: number;
}

/** nlm4_cancargs. */
export interface NlmCancelArgs {
  cookie: Buffer;
  block: boolean;
  exclusive: boolean;
  alock: NlmLock;
}

/** nlm4_unlockargs. */
export interface NlmUnlockArgs {
  cookie: Buffer;
  alock: NlmLock;
}

/** nlm4_testres: the holder is present iff stat is DENIED (the nlm4_testrply union). */
export interface NlmTestRes {
  cookie: Buffer;
  stat: Nlm4Stat;
  holder?: NlmHolder;
}

/** nlm4_res. */
export interface NlmRes {
  cookie: Buffer;
  stat: Nlm4Stat;
}

/** nlm4_share. */
export interface NlmShare {
  callerName: string;
  fh: Buffer;
  oh: Buffer;
  mode: FshMode;
  access: FshAccess;
}

/** nlm4_shareargs. */
export interface NlmShareArgs {
  cookie: Buffer;
  share: NlmShare;
  reclaim: boolean;
}

/** nlm4_shareres. */
export interface NlmShareRes {
  cookie: Buffer;
  stat: Nlm4Stat;
  sequence: number;
}

/** nlm4_notify: FREE_ALL's argument, the host that rebooted and its new NSM state. */
export interface NlmNotify {
  name: string;
  state: number;
}
