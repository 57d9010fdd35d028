/** LOOKUP (RFC 1813 section 3.3.3). "." and ".." reach the backend, which resolves them. */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { LOOKUP, type LookupArgs, type LookupResult } from '../../proto/nfs3/lookup.js';
import type { Procedure } from '../program.js';
import { checkName, type Nfs3Support, type Target } from './support.js';

export function lookup(s: Nfs3Support): Procedure<LookupArgs, LookupResult> {
  return {
    codec: LOOKUP,
    async handle({ what }, call) {
      let t: Target | undefined;
      try {
        t = s.target(what.dir, call);
        checkName(what.name, false);
        const found = await t.backend.lookup(t.handle, what.name, t.op);
        return {
          status: NfsStat3.OK,
          // A backend answering a name again gives the same handle object again.
          object: s.handleFor(t, found.handle, true),
          objAttributes: found.attrs,
          dirAttributes: await s.postOpAttrs(t, found.dirAttrs),
        };
      } catch (err) {
        return { status: s.status(err, LOOKUP.name), dirAttributes: await s.attrsAfterFailure(t) };
      }
    },
  };
}
