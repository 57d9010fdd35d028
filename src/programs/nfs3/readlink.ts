/** READLINK (RFC 1813 section 3.3.5). */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { READLINK, type ReadlinkArgs, type ReadlinkResult } from '../../proto/nfs3/readlink.js';
import type { Procedure } from '../program.js';
import type { Nfs3Support, Target } from './support.js';

export function readlink(s: Nfs3Support): Procedure<ReadlinkArgs, ReadlinkResult> {
  return {
    codec: READLINK,
    async handle({ symlink }, call) {
      let t: Target | undefined;
      try {
        t = s.target(symlink, call);
        const { target, attrs } = await t.backend.readlink(t.handle, t.op);
        return { status: NfsStat3.OK, symlinkAttributes: await s.postOpAttrs(t, attrs), data: target };
      } catch (err) {
        return { status: s.status(err, READLINK.name), symlinkAttributes: await s.attrsAfterFailure(t) };
      }
    },
  };
}
