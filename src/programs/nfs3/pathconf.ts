/** PATHCONF: the backend's POSIX limits for an object. */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { PATHCONF, type PathconfArgs, type PathconfResult } from '../../proto/nfs3/pathconf.js';
import type { Procedure } from '../program.js';
import type { Nfs3Support, Target } from './support.js';

export function pathconf(s: Nfs3Support): Procedure<PathconfArgs, PathconfResult> {
  return {
    codec: PATHCONF,
    async handle(args, call) {
      let t: Target | undefined;
      try {
        t = s.target(args.object, call);
        const pc = await t.backend.pathconf(t.handle, t.op);
        return {
          status: NfsStat3.OK,
          objAttributes: await s.postOpAttrs(t, pc.attrs),
          linkmax: pc.linkMax,
          nameMax: pc.nameMax,
          noTrunc: pc.noTrunc,
          chownRestricted: pc.chownRestricted,
          caseInsensitive: pc.caseInsensitive,
          casePreserving: pc.casePreserving,
        };
      } catch (err) {
        return { status: s.status(err, 'PATHCONF'), objAttributes: await s.attrsAfterFailure(t) };
      }
    },
  };
}
