/** NLMPROC4_UNLOCK: release a byte range (splitting the caller's locks around it). */
import type { LockManager } from '../../server/locks/lock-manager.js';
import type { Procedure } from '../program.js';
import { asMessage, type NlmVersion } from './version.js';

export function unlock(m: LockManager, v: NlmVersion): Procedure[] {
  return [
    { codec: v.codecs.UNLOCK, handle: (args, call) => m.unlock(args, call) },
    asMessage(v, v.codecs.UNLOCK_MSG, v.codecs.UNLOCK_RES, (args, call) => m.unlock(args, call)),
  ];
}
