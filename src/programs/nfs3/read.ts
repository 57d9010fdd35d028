/**
 * READ (RFC 1813 section 3.3.6). Counts above the advertised rtmax are read
 * short (the RFC lets the server return fewer bytes; the client asks again),
 * and, as in knfsd, nothing is read beyond OFFSET_MAX: such a read is at EOF.
 */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { READ, type ReadArgs, type ReadResult } from '../../proto/nfs3/read.js';
import type { Procedure } from '../program.js';
import { OFFSET_MAX, type Nfs3Support, type Target } from './support.js';

export function read(s: Nfs3Support): Procedure<ReadArgs, ReadResult> {
  return {
    codec: READ,
    async handle(args, call) {
      let t: Target | undefined;
      try {
        t = s.target(args.file, call);
        const offset = args.offset < OFFSET_MAX ? args.offset : OFFSET_MAX;
        const room = OFFSET_MAX - offset;
        const wanted = Math.min(args.count, s.env.limits.readMax);
        const count = BigInt(wanted) > room ? Number(room) : wanted;
        const res = await t.backend.read(t.handle, offset, count, t.op);
        const fileAttributes = await s.postOpAttrs(t, res.attrs);
        // As knfsd: a read that reaches the size is EOF even if the backend could not tell,
        // which spares the client one more READ that would return nothing.
        const eof =
          res.eof || (fileAttributes !== undefined && offset + BigInt(res.data.length) >= fileAttributes.size);
        return { status: NfsStat3.OK, fileAttributes, count: res.data.length, eof, data: res.data };
      } catch (err) {
        return { status: s.status(err, READ.name), fileAttributes: await s.attrsAfterFailure(t) };
      }
    },
  };
}
