/** NLMPROC4_CANCEL: give up a blocked LOCK (the process waiting for it was interrupted). */
import type { LockManager } from '../../server/locks/lock-manager.js';
import type { Procedure } from '../program.js';
import { asMessage, type NlmVersion } from './version.js';

export function cancel(m: LockManager, v: NlmVersion): Procedure[] {
  return [
    { codec: v.codecs.CANCEL, handle: (args, call) => m.cancel(args, call) },
    asMessage(v, v.codecs.CANCEL_MSG, v.codecs.CANCEL_RES, (args, call) => m.cancel(args, call)),
  ];
}
