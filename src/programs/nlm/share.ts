/** NLMPROC4_SHARE (DOS share reservations, for PC clients): open with deny modes. */
import type { LockManager } from '../../server/locks/lock-manager.js';
import type { Procedure } from '../program.js';
import type { NlmV3Version } from './version.js';

export function share(m: LockManager, v: NlmV3Version): Procedure {
  return { codec: v.codecs.SHARE, handle: (args, call) => m.share(args, call) };
}
