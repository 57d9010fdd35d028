/**
 * What the MOUNT procedures do, once for both versions: find the export of a
 * path, turn a path into a handle, keep the mount list, and tell the server
 * about mounts and unmounts (UMNT is a hint to release an export early; idle
 * timeouts stay the policy, since many clients never send it).
 */
import { isErrno, NfsError, statusOf } from '../../backend/errors.js';
import { Ftype3, NfsStat3 } from '../../proto/nfs3/constants.js';
import type { ExportNode, MountBody } from '../../proto/mount/common.js';
import { MNTNAMLEN, MountStat3 } from '../../proto/mount/constants.js';
import type { AccessOptions } from '../../server/access.js';
import { credentialsFor } from '../../server/credentials.js';
import type { ServerEnv } from '../../server/env.js';
import type { Export } from '../../server/exports.js';
import type { MountList } from '../../server/mount-list.js';
import type { CallContext, Remote } from '../program.js';
import { unmapAddress } from '../portmap/address.js';

export interface MountHooks {
  /** Why `exp` cannot be mounted now (ejected, storage absent), or undefined; the reason is logged. */
  refuseMount?(exp: Export): Promise<string | undefined>;
  onMount?(exp: Export, remote: Remote): void;
  /**
   * Awaited before the UMNT/UMNTALL reply, after the mount list was updated,
   * so an export whose last client left can release its storage before the
   * client sees the reply. Must bound its own wait.
   */
  onUnmount?(exp: Export, remote: Remote): void | Promise<void>;
}

export type MountOutcome =
  | { status: MountStat3.OK; exp: Export; fhandle: Buffer }
  | { status: Exclude<MountStat3, MountStat3.OK> };

/**
 * A dirpath as components: absolute, with '//', '.' and a trailing '/'
 * collapsed. '..' is refused rather than resolved: resolving it by text
 * could leave the export through a symlink, and no client needs it.
 */
export function pathComponents(dirpath: string): string[] {
  if (!dirpath.startsWith('/')) throw new NfsError(NfsStat3.INVAL, 'dirpath is not absolute');
  const out: string[] = [];
  for (const c of dirpath.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') throw new NfsError(NfsStat3.INVAL, "dirpath contains '..'");
    if (c.includes('\0')) throw new NfsError(NfsStat3.INVAL, 'dirpath contains NUL');
    if (Buffer.byteLength(c) > MNTNAMLEN) throw new NfsError(NfsStat3.NAMETOOLONG);
    out.push(c);
  }
  return out;
}

const joinPath = (components: readonly string[]): string => '/' + components.join('/');

/** The mountstat3 values that are also nfsstat3 values with the same meaning. */
const SAME: ReadonlySet<number> = new Set([
  MountStat3.PERM,
  MountStat3.NOENT,
  MountStat3.IO,
  MountStat3.ACCES,
  MountStat3.NOTDIR,
  MountStat3.INVAL,
  MountStat3.NAMETOOLONG,
  MountStat3.NOTSUPP,
  MountStat3.SERVERFAULT,
]);

export class MountService {
  constructor(
    readonly env: ServerEnv,
    readonly mounts: MountList,
    readonly hooks: MountHooks = {},
  ) {}

  /**
   * The client's options on `exp` (its exports-file entry); NfsError ACCES
   * when it may not mount it, including from an unprivileged port on a
   * `secure` export, which rpc.mountd refuses with MNT3ERR_ACCES too
   * ("illegal port"). Logged, as mountd does: the admin needs to see why.
   */
  private granted(exp: Export, remote: Remote): AccessOptions {
    try {
      return this.env.exports.authorize(exp, remote);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.env.log.warn('mount refused', { export: exp.path, client: `${remote.address}:${remote.port}`, reason });
      throw new NfsError(NfsStat3.ACCES, reason);
    }
  }

  /** The clients an export is offered to, as EXPORT lists them: the hosts as written, "*" for everyone (as knfsd). */
  groupsOf(exp: Export): string[] {
    return exp.options.clients?.map((c) => c.host) ?? ['*'];
  }

  /** The export holding a path (the deepest, if exports nest) and the components below it. */
  private exportOf(components: readonly string[]): { exp: Export; below: string[] } | undefined {
    let best: { exp: Export; depth: number } | undefined;
    for (const exp of this.env.exports.list()) {
      let root: string[];
      try {
        root = pathComponents(exp.path);
      } catch {
        continue;
      }
      if (root.length > components.length || (best && best.depth >= root.length)) continue;
      if (root.every((c, i) => c === components[i])) best = { exp, depth: root.length };
    }
    return best && { exp: best.exp, below: components.slice(best.depth) };
  }

  /**
   * MNT: the handle of an export's root or of a directory below it (knfsd
   * allows mounting subdirectories), looked up as the caller, so a client
   * cannot mount a directory it could not reach. Symlinks are not followed:
   * one could point out of the export.
   */
  async mount(dirpath: string, ctx: CallContext): Promise<MountOutcome> {
    try {
      const components = pathComponents(dirpath);
      const found = this.exportOf(components);
      if (!found) throw new NfsError(NfsStat3.NOENT, 'not exported');
      const { exp, below } = found;
      await this.env.exports.prepare(ctx.remote);
      const granted = this.granted(exp, ctx.remote);
      const refused = await this.hooks.refuseMount?.(exp);
      if (refused !== undefined) {
        // NOENT, as for storage found missing below: there is nothing to mount there now.
        this.env.log.warn('mount refused', { dirpath, client: ctx.remote.address, reason: refused });
        return { status: MountStat3.NOENT };
      }
      this.env.touch(exp, ctx.remote);
      const op = { cred: credentialsFor(ctx.auth, granted) };
      let fh = await exp.backend.root(op);
      for (const name of below) {
        const { handle, attrs } = await exp.backend.lookup(fh, Buffer.from(name), op);
        if (attrs.type !== Ftype3.DIR) throw new NfsError(NfsStat3.NOTDIR);
        fh = handle;
      }
      const fhandle = this.env.exports.handleFor(exp, fh);
      this.mounts.add(hostOf(ctx.remote), joinPath(components));
      this.persist();
      this.hooks.onMount?.(exp, ctx.remote);
      return { status: MountStat3.OK, exp, fhandle };
    } catch (err) {
      return { status: this.failure(err, dirpath, ctx.remote) };
    }
  }

  /**
   * UMNT. The export is told even when no mount was recorded (the list may
   * predate a restart without persistence, or the client mounted elsewhere):
   * a client that unmounts is a reason to release early regardless.
   */
  async unmount(dirpath: string, remote: Remote): Promise<void> {
    let components: string[];
    try {
      components = pathComponents(dirpath);
    } catch {
      return; // nothing can be mounted at a path MNT would refuse
    }
    if (this.mounts.remove(hostOf(remote), joinPath(components))) this.persist();
    const found = this.exportOf(components);
    if (found) await this.hooks.onUnmount?.(found.exp, remote);
  }

  /** UMNTALL: every mount of the caller, and each export involved told once. */
  async unmountAll(remote: Remote): Promise<void> {
    const removed = this.mounts.removeAll(hostOf(remote));
    if (removed.length === 0) return;
    this.persist();
    const exps = new Set<Export>();
    for (const e of removed) {
      const found = this.exportOf(pathComponents(e.path));
      if (found) exps.add(found.exp);
    }
    await Promise.all([...exps].map((exp) => this.hooks.onUnmount?.(exp, remote)));
  }

  dump(): MountBody[] {
    return this.mounts.list().map((e) => ({ hostname: e.host, directory: e.path }));
  }

  exportList(): ExportNode[] {
    return this.env.exports.list().map((exp) => ({ dir: exp.path, groups: this.groupsOf(exp) }));
  }

  /** The mount list is advisory: a failed write is logged, never a failed call. */
  private persist(): void {
    this.mounts.flush().catch((err: unknown) => this.env.log.warn('mount list not saved', { err }));
  }

  /**
   * The nearest mountstat3 for a failure. A STALE root means the export's
   * storage is gone (unplugged, replaced): NOENT, since from the client's
   * side there is nothing to mount there, and ACCES would send the admin
   * looking at permissions. Statuses MOUNT cannot express become IO.
   */
  private failure(err: unknown, dirpath: string, remote: Remote): Exclude<MountStat3, MountStat3.OK> {
    const status = statusOf(err);
    const fields = { dirpath, client: remote.address, status: NfsStat3[status], err };
    if (status === NfsStat3.STALE || status === NfsStat3.BADHANDLE) {
      this.env.log.warn('mount refused: export storage unavailable', fields);
      return MountStat3.NOENT;
    }
    if (err instanceof NfsError || isErrno(err)) this.env.log.debug('mount refused', fields);
    else this.env.log.error('mount failed', { ...fields, stack: (err as Error)?.stack });
    return SAME.has(status) ? (status as number as Exclude<MountStat3, MountStat3.OK>) : MountStat3.IO;
  }
}

/** Mount list key: IPv4 callers of a dual-stack socket are listed as IPv4. */
function hostOf(remote: Remote): string {
  return unmapAddress(remote.address);
}
