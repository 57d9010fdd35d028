/**
 * FSINFO: transfer sizes are the server's (clients were 10-40x slower against
 * servers advertising small ones); file size, time granularity and
 * properties are the backend's.
 */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { FSINFO, type FsinfoArgs, type FsinfoResult } from '../../proto/nfs3/fsinfo.js';
import type { Procedure } from '../program.js';
import type { Nfs3Support, Target } from './support.js';

/** Block size clients should align reads and writes to. */
const TRANSFER_MULTIPLE = 4096;

export function fsinfo(s: Nfs3Support): Procedure<FsinfoArgs, FsinfoResult> {
  return {
    codec: FSINFO,
    async handle(args, call) {
      let t: Target | undefined;
      try {
        t = s.target(args.fsroot, call);
        const info = await t.backend.fsinfo(t.handle, t.op);
        const { readMax, writeMax, dirPreferred } = s.env.limits;
        return {
          status: NfsStat3.OK,
          objAttributes: await s.postOpAttrs(t, info.attrs),
          rtmax: readMax,
          rtpref: readMax,
          rtmult: TRANSFER_MULTIPLE,
          wtmax: writeMax,
          wtpref: writeMax,
          wtmult: TRANSFER_MULTIPLE,
          dtpref: dirPreferred,
          maxfilesize: info.maxFileSize,
          timeDelta: info.timeDelta,
          properties: info.properties,
        };
      } catch (err) {
        return { status: s.status(err, 'FSINFO'), objAttributes: await s.attrsAfterFailure(t) };
      }
    },
  };
}
