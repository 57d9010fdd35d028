/** RMDIR: remove an empty directory. */
import { NfsError } from '../../backend/errors.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { RMDIR, type RmdirArgs, type RmdirResult } from '../../proto/nfs3/rmdir.js';
import type { Procedure } from '../program.js';
import { checkName, isDot, isDotDot, type Nfs3Support, type Target } from './support.js';

export function rmdir(s: Nfs3Support): Procedure<RmdirArgs, RmdirResult> {
  return {
    codec: RMDIR,
    async handle({ object }, call) {
      let dir: Target | undefined;
      try {
        dir = s.target(object.dir, call);
        s.requireWritable(dir);
        checkName(object.name, false);
        // As rmdir(2): "." is an invalid argument, ".." is never empty.
        if (isDot(object.name)) throw new NfsError(NfsStat3.INVAL);
        if (isDotDot(object.name)) throw new NfsError(NfsStat3.NOTEMPTY);
        const dirWcc = await dir.backend.rmdir(dir.handle, object.name, dir.op);
        return { status: NfsStat3.OK, dirWcc };
      } catch (err) {
        return { status: s.status(err, 'RMDIR'), dirWcc: { after: await s.attrsAfterFailure(dir) } };
      }
    },
  };
}
