/** FSSTAT: space and file counts of the export's filesystem. */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { FSSTAT, type FsstatArgs, type FsstatResult } from '../../proto/nfs3/fsstat.js';
import type { Procedure } from '../program.js';
import type { Nfs3Support, Target } from './support.js';

export function fsstat(s: Nfs3Support): Procedure<FsstatArgs, FsstatResult> {
  return {
    codec: FSSTAT,
    async handle(args, call) {
      let t: Target | undefined;
      try {
        t = s.target(args.fsroot, call);
        const st = await t.backend.fsstat(t.handle, t.op);
        return {
          status: NfsStat3.OK,
          objAttributes: await s.postOpAttrs(t, st.attrs),
          tbytes: st.totalBytes,
          fbytes: st.freeBytes,
          abytes: st.availBytes,
          tfiles: st.totalFiles,
          ffiles: st.freeFiles,
          afiles: st.availFiles,
          invarsec: st.invarsec,
        };
      } catch (err) {
        return { status: s.status(err, 'FSSTAT'), objAttributes: await s.attrsAfterFailure(t) };
      }
    },
  };
}
