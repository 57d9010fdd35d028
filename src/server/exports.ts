/**
 * The exports a server serves and the mapping between client-visible handles
 * and (export, backend handle).
 */
import { createHash } from 'node:crypto';
import type { Backend } from '../backend/backend.js';
import { NfsError } from '../backend/errors.js';
import { NfsStat3 } from '../proto/nfs3/constants.js';
import { HandleCodec } from './handles.js';

export interface ExportOptions {
  readOnly: boolean;
  /** uid/gid that root (and AUTH_NONE callers) are mapped to; root is squashed unless noRootSquash. */
  anonUid: number;
  anonGid: number;
  noRootSquash: boolean;
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
  whileDetached: 'stale',
};

export interface Export {
  /** Stable across restarts: handles embed it. */
  readonly id: number;
  /** The path clients mount, e.g. "/srv/media". */
  readonly path: string;
  readonly backend: Backend;
  readonly options: ExportOptions;
}

/** A stable 32-bit id for an export path (knfsd derives its fsid from the filesystem; we from the export). */
export function exportIdOf(path: string): number {
  return createHash('sha256').update(path).digest().readUInt32BE(0);
}

export class ExportRegistry {
  private readonly byId = new Map<number, Export>();
  private readonly byPathMap = new Map<string, Export>();

  constructor(readonly handles: HandleCodec) {}

  add(path: string, backend: Backend, options: Partial<ExportOptions> = {}, id = exportIdOf(path)): Export {
    if (this.byPathMap.has(path)) throw new Error(`export ${path} is already defined`);
    if (this.byId.has(id)) throw new Error(`export id ${id} of ${path} collides with ${this.byId.get(id)!.path}`);
    const exp: Export = { id, path, backend, options: { ...DEFAULT_EXPORT_OPTIONS, ...options } };
    this.byId.set(id, exp);
    this.byPathMap.set(path, exp);
    return exp;
  }

  remove(path: string): Export | undefined {
    const exp = this.byPathMap.get(path);
    if (exp) {
      this.byPathMap.delete(path);
      this.byId.delete(exp.id);
    }
    return exp;
  }

  byPath(path: string): Export | undefined {
    return this.byPathMap.get(path);
  }

  list(): Export[] {
    return [...this.byPathMap.values()];
  }

  handleFor(exp: Export, backendHandle: Buffer): Buffer {
    return this.handles.encode(exp.id, backendHandle);
  }

  /** BADHANDLE for a handle this server never issued; STALE for one whose export is gone. */
  resolve(fh: Buffer): { exp: Export; handle: Buffer } {
    const { exportId, backendHandle } = this.handles.decode(fh);
    const exp = this.byId.get(exportId);
    if (!exp) throw new NfsError(NfsStat3.STALE, 'export no longer exists');
    return { exp, handle: backendHandle };
  }
}
