/**
 * What CREATE, MKDIR, SYMLINK and MKNOD share: a writable directory, a name
 * fit for a new entry, the new object's handle as post_op_fh3, and the
 * directory's wcc data whether the call succeeds or not.
 */
import type { CreatedResult } from '../../backend/backend.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import type { DirOpArgs, NewObjectResult } from '../../proto/nfs3/common.js';
import type { CallContext } from '../program.js';
import { checkName, type Nfs3Support, type Target } from './support.js';

export async function makeEntry(
  s: Nfs3Support,
  proc: string,
  where: DirOpArgs,
  call: CallContext,
  make: (dir: Target) => Promise<CreatedResult>,
): Promise<NewObjectResult> {
  let t: Target | undefined;
  try {
    t = s.target(where.dir, call);
    // Checked after t is set, so that a ROFS reply still carries attributes.
    s.requireWritable(t);
    checkName(where.name, true);
    const made = await make(t);
    return { status: NfsStat3.OK, obj: s.handleFor(t, made.handle), objAttributes: made.attrs, dirWcc: made.dirWcc };
  } catch (err) {
    return { status: s.status(err, proc), dirWcc: { after: await s.attrsAfterFailure(t) } };
  }
}
