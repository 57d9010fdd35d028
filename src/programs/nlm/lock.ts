/** NLMPROC4_LOCK (RFC 1813 section 6.3): take a byte-range lock, queueing for it when `block` is set. */
import type { LockManager } from '../../server/locks/lock-manager.js';
import type { Procedure } from '../program.js';
import { asMessage, type NlmVersion } from './version.js';

export function lock(m: LockManager, v: NlmVersion): Procedure[] {
  return [
    { codec: v.codecs.LOCK, handle: (args, call) => m.lock(args, call, v.vers, true) },
    asMessage(v, v.codecs.LOCK_MSG, v.codecs.LOCK_RES, (args, call) => m.lock(args, call, v.vers, true)),
  ];
}
