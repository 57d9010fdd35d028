/**
 * NLMPROC4_GRANTED: a server telling a client that its blocked lock is now
 * held. We are the server: we send GRANTED (see LockManager) and wait for
 * none, so one sent to us concerns no request of ours and is DENIED, as a
 * client lock manager answers a grant it was not waiting for.
 */
import { Nlm4Stat } from '../../proto/nlm/constants.js';
import type { NlmRes, NlmTestArgs } from '../../proto/nlm/types.js';
import type { Procedure } from '../program.js';
import { asMessage, type NlmVersion } from './version.js';

function notWaiting(args: NlmTestArgs): NlmRes {
  return { cookie: args.cookie, stat: Nlm4Stat.DENIED };
}

export function granted(v: NlmVersion): Procedure[] {
  return [
    { codec: v.codecs.GRANTED, handle: notWaiting },
    asMessage(v, v.codecs.GRANTED_MSG, v.codecs.GRANTED_RES, notWaiting),
  ];
}
