/** REMOVE: unlink a non-directory. */
import { NfsError } from '../../backend/errors.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { REMOVE, type RemoveArgs, type RemoveResult } from '../../proto/nfs3/remove.js';
import type { Procedure } from '../program.js';
import { checkName, isDot, isDotDot, type Nfs3Support, type Target } from './support.js';

export function remove(s: Nfs3Support): Procedure<RemoveArgs, RemoveResult> {
  return {
    codec: REMOVE,
    async handle({ object }, call) {
      let dir: Target | undefined;
      try {
        dir = s.target(object.dir, call);
        s.requireWritable(dir);
        checkName(object.name, false);
        // knfsd's nfsd_unlink answers ACCES for the directory's own entries.
        if (isDot(object.name) || isDotDot(object.name)) throw new NfsError(NfsStat3.ACCES);
        const dirWcc = await dir.backend.remove(dir.handle, object.name, dir.op);
        return { status: NfsStat3.OK, dirWcc };
      } catch (err) {
        return { status: s.status(err, 'REMOVE'), dirWcc: { after: await s.attrsAfterFailure(dir) } };
      }
    },
  };
}
