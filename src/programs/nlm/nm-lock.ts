/**
 * NLMPROC4_NM_LOCK: LOCK for clients without a status monitor (PC clients):
 * the host is not monitored, and the call never blocks.
 */
import type { LockManager } from '../../server/locks/lock-manager.js';
import type { Procedure } from '../program.js';
import type { NlmV3Version } from './version.js';

export function nmLock(m: LockManager, v: NlmV3Version): Procedure {
  return { codec: v.codecs.NM_LOCK, handle: (args, call) => m.lock(args, call, v.vers, false) };
}
