/** GETATTR (RFC 1813 section 3.3.1). */
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { GETATTR, type GetattrArgs, type GetattrResult } from '../../proto/nfs3/getattr.js';
import type { Procedure } from '../program.js';
import type { Nfs3Support } from './support.js';

export function getattr(s: Nfs3Support): Procedure<GetattrArgs, GetattrResult> {
  return {
    codec: GETATTR,
    async handle({ object }, call) {
      try {
        const t = s.target(object, call);
        return { status: NfsStat3.OK, objAttributes: await t.backend.getattr(t.handle, t.op) };
      } catch (err) {
        return { status: s.status(err, GETATTR.name) };
      }
    },
  };
}
