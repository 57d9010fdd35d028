/**
 * What every NFSv3 procedure handler does around its backend call: resolve
 * the handle to an export, act as the caller's (squashed) identity, refuse
 * changes on read-only exports, validate names, and turn failures into
 * nfsstat3 with whatever post-op attributes can still be had.
 */
import type { Backend, OpContext } from '../../backend/backend.js';
import { isErrno, NfsError, statusOf } from '../../backend/errors.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import type { Fattr3, FileHandle } from '../../proto/nfs3/types.js';
import type { AccessOptions } from '../../server/access.js';
import { credentialsFor } from '../../server/credentials.js';
import type { ServerEnv } from '../../server/env.js';
import type { Export } from '../../server/exports.js';
import type { CallContext } from '../program.js';

export interface Target {
  exp: Export;
  backend: Backend;
  /** The backend's handle inside the client's handle. */
  handle: FileHandle;
  op: OpContext;
  /** What this client may do on the export (its exports-file entry): read-only, squashing. */
  granted: AccessOptions;
}

/** The largest file offset the server accepts (knfsd's OFFSET_MAX: offsets are signed 64-bit in the kernel and in Node). */
export const OFFSET_MAX = (1n << 63n) - 1n;

export class Nfs3Support {
  constructor(readonly env: ServerEnv) {}

  /**
   * Resolves a client handle and checks the client may use its export, on
   * every call, so a handle is worth nothing on a host the export does not
   * allow; throws NfsError(BADHANDLE|STALE|ACCES|PERM).
   */
  target(fh: FileHandle, call: CallContext): Target {
    const { exp, handle } = this.env.exports.resolve(fh);
    const granted = this.env.exports.authorize(exp, call.remote);
    this.env.touch(exp, call.remote);
    const op: OpContext = { cred: credentialsFor(call.auth, granted) };
    if (call.receivedAt !== undefined) op.receivedAt = call.receivedAt;
    return { exp, backend: exp.backend, handle, op, granted };
  }

  /** As target(), for a procedure that changes the export. */
  writableTarget(fh: FileHandle, call: CallContext): Target {
    return this.requireWritable(this.target(fh, call));
  }

  /**
   * The read-only check alone, for handlers that resolve first so that even
   * their ROFS reply carries the object's post-op attributes.
   */
  requireWritable(t: Target): Target {
    if (t.granted.readOnly) throw new NfsError(NfsStat3.ROFS);
    return t;
  }

  /** A second handle of the same call (RENAME, LINK) must be on the same export. */
  sameExport(first: Target, fh: FileHandle, call: CallContext): Target {
    const t = this.target(fh, call);
    if (t.exp !== first.exp) throw new NfsError(NfsStat3.XDEV);
    return t;
  }

  /** The client's handle for a backend handle of the target's export (`recurs`: see HandleCodec.encode). */
  handleFor(t: Target, backendHandle: FileHandle, recurs = false): FileHandle {
    return this.env.exports.handleFor(t.exp, backendHandle, recurs);
  }

  /**
   * The status for a failure. Expected errno failures are traced at debug;
   * anything else is a server bug and is logged loudly. Never OK, so it fits
   * a resfail arm: a failure that claims OK is a bug and answers SERVERFAULT.
   */
  status(err: unknown, proc: string): Exclude<NfsStat3, NfsStat3.OK> {
    const found = statusOf(err);
    const status = found === NfsStat3.OK ? NfsStat3.SERVERFAULT : found;
    if (err instanceof NfsError || isErrno(err)) {
      this.env.log.debug('nfs3 error', { proc, status: NfsStat3[status], err });
    } else {
      this.env.log.error('nfs3 handler failed', { proc, err, stack: (err as Error)?.stack });
    }
    return status;
  }

  /** Post-op attributes for a success reply: the backend's when it gave them, else best effort. */
  async postOpAttrs(t: Target, given: Fattr3 | undefined): Promise<Fattr3 | undefined> {
    return given ?? this.attrsAfterFailure(t);
  }

  /** Post-op attributes for a failure reply: best effort, absent when they cannot be had. */
  async attrsAfterFailure(t: Target | undefined): Promise<Fattr3 | undefined> {
    if (!t) return undefined;
    try {
      return await t.backend.getattr(t.handle, t.op);
    } catch {
      return undefined;
    }
  }
}

/**
 * Names a client may create or look up (RFC 1813 section 3.3: the server
 * decides; we follow POSIX): non-empty, no '/', no NUL, at most 255 bytes.
 * "." and ".." are refused where a new entry would be made.
 */
export function checkName(name: Buffer, creating: boolean): void {
  if (name.length === 0) throw new NfsError(NfsStat3.NOENT);
  if (name.length > 255) throw new NfsError(NfsStat3.NAMETOOLONG);
  if (name.includes(0x2f) || name.includes(0)) throw new NfsError(creating ? NfsStat3.INVAL : NfsStat3.NOENT);
  if (creating && (isDot(name) || isDotDot(name))) throw new NfsError(NfsStat3.EXIST);
}

export function isDot(name: Buffer): boolean {
  return name.length === 1 && name[0] === 0x2e;
}

export function isDotDot(name: Buffer): boolean {
  return name.length === 2 && name[0] === 0x2e && name[1] === 0x2e;
}
