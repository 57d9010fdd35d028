/**
 * The exports a server serves and the mapping between client-visible handles
 * and (export, backend handle).
 */
import { createHash } from 'node:crypto';
import type { Backend } from '../backend/backend.js';
import { NfsError } from '../backend/errors.js';
import { NfsStat3 } from '../proto/nfs3/constants.js';
import type { Remote } from '../programs/program.js';
import { AccessControl, type AccessControlOptions, type AccessOptions, type ClientRule } from './access.js';
import { HandleCodec } from './handles.js';

/**
 * The access options here (readOnly, squashing, secure) are what every
 * client gets when `clients` is absent (the one-command default); with
 * `clients`, each client gets those of its first matching rule, and a client
 * matching none is refused.
 */
export interface ExportOptions extends AccessOptions {
  /** exports(5) client list, first match wins; absent: everyone. */
  clients?: readonly ClientRule[] | undefined;
  /**
   * What clients get while the export is ejected: 'stale' (NFS3ERR_STALE, the
   * default: a clear error, nothing waits on storage that may never return) or
   * 'hold' (NFS3ERR_JUKEBOX: clients retry until it is attached again, for a
   * quick media swap).
   */
  whileDetached: WhileDetached;
}

export type WhileDetached = 'stale' | 'hold';

export const DEFAULT_EXPORT_OPTIONS: ExportOptions = {
  readOnly: false,
  anonUid: 65534,
  anonGid: 65534,
  noRootSquash: false,
  allSquash: false,
  // Unlike knfsd's default: the one-command server must work with clients on unprivileged ports (libnfs as a user).
  secure: false,
  whileDetached: 'stale',
};

export interface Export {
  /** Stable across restarts: handles embed it. */
  readonly id: number;
  /** The path clients mount, e.g. "/srv/media". */
  readonly path: string;
  readonly backend: Backend;
  /** Replaced as a whole by a reload (ExportRegistry.reconfigure): read it per call, do not keep it. */
  options: ExportOptions;
}

/** A stable 32-bit id for an export path (knfsd derives its fsid from the filesystem; we from the export). */
export function exportIdOf(path: string): number {
  return createHash('sha256').update(path).digest().readUInt32BE(0);
}

export class ExportRegistry {
  private readonly byId = new Map<number, Export>();
  private readonly byPathMap = new Map<string, Export>();

  private readonly clients: AccessControl;

  constructor(
    readonly handles: HandleCodec,
    access: Partial<AccessControlOptions> = {},
  ) {
    this.clients = new AccessControl(access);
  }

  add(path: string, backend: Backend, options: Partial<ExportOptions> = {}, id = exportIdOf(path)): Export {
    if (this.byPathMap.has(path)) throw new Error(`export ${path} is already defined`);
    if (this.byId.has(id)) throw new Error(`export id ${id} of ${path} collides with ${this.byId.get(id)!.path}`);
    const exp: Export = { id, path, backend, options: { ...DEFAULT_EXPORT_OPTIONS, ...options } };
    this.byId.set(id, exp);
    this.byPathMap.set(path, exp);
    this.clients.reset(this.list());
    return exp;
  }

  /** New options for an export (a reload): the next call of every client is decided by them. */
  reconfigure(exp: Export, options: Partial<ExportOptions>): void {
    exp.options = { ...DEFAULT_EXPORT_OPTIONS, ...options };
    this.clients.reset(this.list());
  }

  remove(path: string): Export | undefined {
    const exp = this.byPathMap.get(path);
    if (exp) {
      this.byPathMap.delete(path);
      this.byId.delete(exp.id);
      this.clients.reset(this.list());
    }
    return exp;
  }

  byPath(path: string): Export | undefined {
    return this.byPathMap.get(path);
  }

  list(): Export[] {
    return [...this.byPathMap.values()];
  }

  /**
   * The options `remote` gets on `exp`. Throws NfsError ACCES for a client
   * the export's list does not allow: knfsd's answer depends on how the host
   * is unknown (STALE when its client domain has no such export), but STALE
   * tells a client the file is gone for good (Linux then drops the inode),
   * while this is a permission the admin may grant by a reload, after which
   * the same handles work again. PERM for a `secure` export called from a
   * source port >= 1024, exactly as knfsd (nfsd_setuser_and_check_port).
   */
  authorize(exp: Export, remote: Remote): AccessOptions {
    const granted = this.clients.decide(exp, remote.address);
    if (!granted) throw new NfsError(NfsStat3.ACCES, `client ${remote.address} is not allowed on ${exp.path}`);
    if (granted.secure && remote.port >= 1024) {
      throw new NfsError(NfsStat3.PERM, `${exp.path} is "secure": port ${remote.port} of ${remote.address} is not privileged`);
    }
    return granted;
  }

  /** Settles once `remote`'s calls can be decided (its host names looked up, bounded); undefined when they can now. */
  prepare(remote: Remote): Promise<void> | undefined {
    return this.clients.prepare(remote.address);
  }

  /** `recurs`: see HandleCodec.encode. */
  handleFor(exp: Export, backendHandle: Buffer, recurs = false): Buffer {
    return this.handles.encode(exp.id, backendHandle, recurs);
  }

  /** BADHANDLE for a handle this server never issued; STALE for one whose export is gone. */
  resolve(fh: Buffer): { exp: Export; handle: Buffer } {
    const { exportId, backendHandle } = this.handles.decode(fh);
    const exp = this.byId.get(exportId);
    if (!exp) throw new NfsError(NfsStat3.STALE, 'export no longer exists');
    return { exp, handle: backendHandle };
  }
}
