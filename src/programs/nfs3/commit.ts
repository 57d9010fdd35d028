/** COMMIT: make the file's UNSTABLE writes durable and return the write verifier. */
import { NfsError } from '../../backend/errors.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { COMMIT, type CommitArgs, type CommitResult } from '../../proto/nfs3/commit.js';
import type { Procedure } from '../program.js';
import { OFFSET_MAX, type Nfs3Support, type Target } from './support.js';

export function commit(s: Nfs3Support): Procedure<CommitArgs, CommitResult> {
  return {
    codec: COMMIT,
    async handle(args, call) {
      let file: Target | undefined;
      try {
        file = s.target(args.file, call);
        // As knfsd: COMMIT needs write access, so a read-only export answers ROFS.
        s.requireWritable(file);
        if (args.offset > OFFSET_MAX) throw new NfsError(NfsStat3.INVAL);
        const res = await file.backend.commit(file.handle, args.offset, args.count, file.op);
        return { status: NfsStat3.OK, fileWcc: res.wcc, verf: res.verifier };
      } catch (err) {
        return { status: s.status(err, 'COMMIT'), fileWcc: { after: await s.attrsAfterFailure(file) } };
      }
    },
  };
}
