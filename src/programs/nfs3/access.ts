/** ACCESS (RFC 1813 section 3.3.4). */
import { ACCESS3_DELETE, ACCESS3_EXTEND, ACCESS3_MODIFY, NfsStat3 } from '../../proto/nfs3/constants.js';
import { ACCESS, type AccessArgs, type AccessResult } from '../../proto/nfs3/access.js';
import type { Procedure } from '../program.js';
import type { Nfs3Support, Target } from './support.js';

/** Rights a read-only export never grants, whatever the file's mode says. */
const CHANGES = ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE;

export function access(s: Nfs3Support): Procedure<AccessArgs, AccessResult> {
  return {
    codec: ACCESS,
    async handle({ object, access: asked }, call) {
      let t: Target | undefined;
      try {
        t = s.target(object, call);
        const { granted, attrs } = await t.backend.access(t.handle, asked, t.op);
        const allowed = t.granted.readOnly ? granted & ~CHANGES : granted;
        // Only bits that were asked for: clients may treat any other bit as meaningful.
        return { status: NfsStat3.OK, objAttributes: await s.postOpAttrs(t, attrs), access: allowed & asked };
      } catch (err) {
        return { status: s.status(err, ACCESS.name), objAttributes: await s.attrsAfterFailure(t) };
      }
    },
  };
}
