/** LINK: a new name for an existing file, in a directory of the same export. */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { LINK, type LinkArgs, type LinkResult } from '../../proto/nfs3/link.js';
import type { Procedure } from '../program.js';
import { checkName, type Nfs3Support, type Target } from './support.js';

export function link(s: Nfs3Support): Procedure<LinkArgs, LinkResult> {
  return {
    codec: LINK,
    async handle(args, call) {
      let dir: Target | undefined;
      let file: Target | undefined;
      try {
        dir = s.target(args.link.dir, call);
        file = s.sameExport(dir, args.file, call);
        s.requireWritable(dir);
        checkName(args.link.name, true);
        const res = await dir.backend.link(file.handle, dir.handle, args.link.name, dir.op);
        const fileAttributes = await s.postOpAttrs(file, res.attrs);
        return { status: NfsStat3.OK, fileAttributes, linkdirWcc: res.dirWcc };
      } catch (err) {
        const status = s.status(err, 'LINK');
        const fileAttributes = await s.attrsAfterFailure(file);
        return { status, fileAttributes, linkdirWcc: { after: await s.attrsAfterFailure(dir) } };
      }
    },
  };
}
