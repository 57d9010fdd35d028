/**
 * SETATTR (RFC 1813 section 3.3.2). The guard is checked by the backend
 * (guardCtime), next to the change, so no other change can slip in between.
 */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { SETATTR, type SetattrArgs, type SetattrResult } from '../../proto/nfs3/setattr.js';
import type { Procedure } from '../program.js';
import type { Nfs3Support, Target } from './support.js';

export function setattr(s: Nfs3Support): Procedure<SetattrArgs, SetattrResult> {
  return {
    codec: SETATTR,
    async handle({ object, newAttributes, guard }, call) {
      let t: Target | undefined;
      try {
        t = s.target(object, call);
        // Checked after t is set, so that a ROFS reply still carries attributes.
        s.requireWritable(t);
        const objWcc = await t.backend.setattr(t.handle, newAttributes, guard, t.op);
        return { status: NfsStat3.OK, objWcc };
      } catch (err) {
        // After NOT_SYNC the client needs the current ctime to decide what to do next.
        return { status: s.status(err, SETATTR.name), objWcc: { after: await s.attrsAfterFailure(t) } };
      }
    },
  };
}
