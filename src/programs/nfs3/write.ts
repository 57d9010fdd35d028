/**
 * WRITE (RFC 1813 section 3.3.7). Data beyond the advertised wtmax is a short
 * write: the reply's count says how much was taken and the client sends the
 * rest. The stability reported is the backend's, never more: claiming
 * FILE_SYNC for buffered data would let the client skip COMMIT and lose it.
 */
import { NfsError } from '../../backend/errors.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { WRITE, type WriteArgs, type WriteResult } from '../../proto/nfs3/write.js';
import type { Procedure } from '../program.js';
import { OFFSET_MAX, type Nfs3Support, type Target } from './support.js';

export function write(s: Nfs3Support): Procedure<WriteArgs, WriteResult> {
  return {
    codec: WRITE,
    async handle({ file, offset, count, stable, data }, call) {
      let t: Target | undefined;
      try {
        t = s.target(file, call);
        // Checked after t is set, so that a ROFS reply still carries attributes.
        s.requireWritable(t);
        // The RFC has count name the bytes of data. When they disagree the request says two
        // things; writing either length could acknowledge bytes the client never meant
        // (knfsd refuses such a request outright). INVAL keeps file_wcc in the reply.
        if (data.length !== count) throw new NfsError(NfsStat3.INVAL, `count ${count} but ${data.length} bytes`);
        const accepted = data.length > s.env.limits.writeMax ? data.subarray(0, s.env.limits.writeMax) : data;
        // As knfsd: bytes that would land beyond the largest file offset make the file too big.
        if (offset + BigInt(accepted.length) > OFFSET_MAX) throw new NfsError(NfsStat3.FBIG);
        const res = await t.backend.write(t.handle, offset, accepted, stable, t.op);
        return { status: NfsStat3.OK, fileWcc: res.wcc, count: res.count, committed: res.committed, verf: res.verifier };
      } catch (err) {
        return { status: s.status(err, WRITE.name), fileWcc: { after: await s.attrsAfterFailure(t) } };
      }
    },
  };
}
