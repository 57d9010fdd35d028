/** NLMPROC4_UNSHARE: drop the caller's share reservation on a file. */
import type { LockManager } from '../../server/locks/lock-manager.js';
import type { Procedure } from '../program.js';
import type { NlmV3Version } from './version.js';

export function unshare(m: LockManager, v: NlmV3Version): Procedure {
  return { codec: v.codecs.UNSHARE, handle: (args, call) => m.unshare(args, call) };
}
