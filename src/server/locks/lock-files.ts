/**
 * What a file handle in an NLM call names: checked as an NFS call on it
 * would be (the handle is ours and current, the client may use its export,
 * the file still exists), and keyed so that the locks of one export can be
 * found and released together (eject).
 *
 * Locks are kept by the server, in memory, per file: nothing is opened on
 * the export to hold them, so an export with locks and no calls still holds
 * nothing on its storage. They are advisory between NFS clients; processes
 * on the server's own machine do not see them (as with Ganesha's default).
 */
import { statusOf } from '../../backend/errors.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { Nlm4Stat } from '../../proto/nlm/constants.js';
import type { CallContext } from '../../programs/program.js';
import { credentialsFor } from '../credentials.js';
import type { ServerEnv } from '../env.js';
import type { Export } from '../exports.js';

export interface LockFile {
  exp: Export;
  /** The lock table's key: the export's id, then the backend handle. */
  key: string;
}

export class LockFiles {
  constructor(private readonly env: ServerEnv) {}

  /**
   * Throws NfsError (BADHANDLE, STALE, ACCES, PERM, JUKEBOX while held
   * detached, ...). Releasing needs no live file (`mustExist` false): the
   * locks of a file deleted since stay in the table until released.
   */
  async open(fh: Buffer, call: CallContext, mustExist = true): Promise<LockFile> {
    const { exp, handle } = this.env.exports.resolve(fh);
    const granted = this.env.exports.authorize(exp, call.remote);
    this.env.touch(exp, call.remote);
    // Also what tells a deleted file (STALE) or an ejected export from a live one.
    if (mustExist) await exp.backend.getattr(handle, { cred: credentialsFor(call.auth, granted) });
    return { exp, key: fileKey(exp, handle) };
  }

  /** The export a key belongs to, for status pages (undefined once it is gone). */
  exportOf(key: string): Export | undefined {
    const id = Number(key.slice(0, key.indexOf('/')));
    return this.env.exports.list().find((e) => e.id === id);
  }
}

export function fileKey(exp: Export, backendHandle: Buffer): string {
  return `${exp.id}/${backendHandle.toString('hex')}`;
}

export function isKeyOf(exp: Export): (key: string) => boolean {
  const prefix = `${exp.id}/`;
  return (key) => key.startsWith(prefix);
}

/**
 * The nlm4_stats for a failure to reach the file. A held (ejected, 'hold')
 * export answers DENIED_GRACE_PERIOD: like NFS3ERR_JUKEBOX, it makes
 * clients wait and retry, which is what 'hold' promises them.
 */
export function nlmStatusOf(err: unknown): Exclude<Nlm4Stat, Nlm4Stat.GRANTED> {
  switch (statusOf(err)) {
    case NfsStat3.STALE:
    case NfsStat3.BADHANDLE:
      return Nlm4Stat.STALE_FH;
    case NfsStat3.JUKEBOX:
      return Nlm4Stat.DENIED_GRACE_PERIOD;
    case NfsStat3.ROFS:
      return Nlm4Stat.ROFS;
    case NfsStat3.FBIG:
      return Nlm4Stat.FBIG;
    default:
      return Nlm4Stat.FAILED;
  }
}
