/** NLMPROC4_FREE_ALL: a client's lock manager restarted: everything its host held is released. */
import type { LockManager } from '../../server/locks/lock-manager.js';
import type { Procedure } from '../program.js';
import type { NlmV3Version } from './version.js';

export function freeAll(m: LockManager, v: NlmV3Version): Procedure {
  return { codec: v.codecs.FREE_ALL, handle: (args) => m.freeAll(args) };
}
