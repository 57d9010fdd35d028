/** RENAME: move an entry, within one export only. */
import { NfsError } from '../../backend/errors.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { RENAME, type RenameArgs, type RenameResult } from '../../proto/nfs3/rename.js';
import type { Procedure } from '../program.js';
import { checkName, isDot, isDotDot, type Nfs3Support, type Target } from './support.js';

export function rename(s: Nfs3Support): Procedure<RenameArgs, RenameResult> {
  return {
    codec: RENAME,
    async handle({ from, to }, call) {
      let fromDir: Target | undefined;
      let toDir: Target | undefined;
      try {
        fromDir = s.target(from.dir, call);
        toDir = s.sameExport(fromDir, to.dir, call);
        s.requireWritable(fromDir);
        checkName(from.name, false);
        // knfsd's nfsd_rename answers PERM for moving a directory's own entries.
        if (isDot(from.name) || isDotDot(from.name)) throw new NfsError(NfsStat3.PERM);
        checkName(to.name, true);
        const { fromDirWcc, toDirWcc } = await fromDir.backend.rename(
          fromDir.handle,
          from.name,
          toDir.handle,
          to.name,
          fromDir.op,
        );
        return { status: NfsStat3.OK, fromdirWcc: fromDirWcc, todirWcc: toDirWcc };
      } catch (err) {
        const status = s.status(err, 'RENAME');
        const fromdirWcc = { after: await s.attrsAfterFailure(fromDir) };
        const todirWcc = { after: await s.attrsAfterFailure(toDir) };
        return { status, fromdirWcc, todirWcc };
      }
    },
  };
}
