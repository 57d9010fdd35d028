/** NLMPROC4_TEST (RFC 1813 section 6.3): would this lock be granted, and if not, who holds what. */
import type { LockManager } from '../../server/locks/lock-manager.js';
import type { Procedure } from '../program.js';
import { asMessage, type NlmVersion } from './version.js';

export function test(m: LockManager, v: NlmVersion): Procedure[] {
  return [
    { codec: v.codecs.TEST, handle: (args, call) => m.test(args, call) },
    asMessage(v, v.codecs.TEST_MSG, v.codecs.TEST_RES, (args, call) => m.test(args, call)),
  ];
}
