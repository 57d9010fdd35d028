/**
 * READDIRPLUS: READDIR with each entry's attributes and handle. maxcount
 * bounds the whole resok; dircount only the fileid, name and cookie of the
 * entries (RFC 1813 section 3.3.17). knfsd ignores dircount altogether; we
 * honour it, except that the first entry is always allowed by it, so a
 * client with a tiny dircount still makes progress.
 */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { dirResOkOverhead, entryDirSize, opaqueSize, postOpAttrSize } from '../../proto/nfs3/readdir.js';
import { FATTR3_BYTES } from '../../proto/nfs3/common.js';
import {
  entryplus3Size,
  READDIRPLUS,
  type Entryplus3,
  type ReaddirplusArgs,
  type ReaddirplusResult,
} from '../../proto/nfs3/readdirplus.js';
import type { Procedure } from '../program.js';
import { entryBudget, fill, listPage, MIN_ENTRY3 } from './readdir.js';
import type { Nfs3Support, Target } from './support.js';

/** The least an entry costs once it carries attributes (84 bytes) and the shortest client handle (16 bytes). */
const MIN_ENTRYPLUS3 = MIN_ENTRY3 + 4 + 84 + 4 + 4 + 16;
/** fileid, a one-byte name, cookie: the least an entry charges to dircount. */
const MIN_DIR_PART = entryDirSize({ name: Buffer.alloc(1) });

/**
 * The backend's admit hint: charges each name what its entry will likely
 * cost, with a handle as long as the directory's (handles of one export
 * have one length), so the backend looks up no more names than the reply
 * will carry. fill() below still measures every entry exactly.
 */
function estimator(maxcount: number, dircount: number, handleLength: number): (name: Buffer) => boolean {
  // With the directory's attributes, and each entry's: value-follows word, post_op_attr and post_op_fh3.
  let room = maxcount - dirResOkOverhead(undefined) - FATTR3_BYTES;
  let dirRoom = dircount;
  const rest = 4 + postOpAttrSize(undefined) + FATTR3_BYTES + 4 + opaqueSize(handleLength);
  return (name) => {
    const dirPart = entryDirSize({ name });
    room -= dirPart + rest;
    dirRoom -= dirPart;
    return room >= 0 && dirRoom >= 0;
  };
}

export function readdirplus(s: Nfs3Support): Procedure<ReaddirplusArgs, ReaddirplusResult> {
  return {
    codec: READDIRPLUS,
    async handle(args, call) {
      let dir: Target | undefined;
      try {
        const t = s.target(args.dir, call);
        dir = t;
        const maxcount = Math.min(args.maxcount, s.env.limits.readMax);
        let dirRoom = Math.min(args.dircount, maxcount);
        const fitting = Math.min(Math.floor(maxcount / MIN_ENTRYPLUS3), Math.floor(dirRoom / MIN_DIR_PART));
        const maxEntries = Math.max(1, fitting);
        const page = await listPage(s, t, args.cookie, args.cookieverf, maxEntries, true, estimator(maxcount, dirRoom, args.dir.length));
        let room = entryBudget(maxcount, page.dirAttributes);
        const reply = fill(page, (d, first): Entryplus3 | undefined => {
          const e: Entryplus3 = {
            fileid: d.fileid,
            name: d.name,
            cookie: d.cookie,
            nameAttributes: d.attrs,
            // Listed again, entries come with the Buffers of the first listing (the local backend keeps them).
            nameHandle: d.handle && s.handleFor(t, d.handle, true),
          };
          room -= entryplus3Size(e);
          dirRoom -= entryDirSize(e);
          return room >= 0 && (dirRoom >= 0 || first) ? e : undefined;
        });
        return { status: NfsStat3.OK, dirAttributes: page.dirAttributes, cookieverf: page.verifier, reply };
      } catch (err) {
        return { status: s.status(err, 'READDIRPLUS'), dirAttributes: await s.attrsAfterFailure(dir) };
      }
    },
  };
}
