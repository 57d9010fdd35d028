/**
 * Failures carry an nfsstat3. Backends may throw NfsError directly or let
 * Node's errno errors escape; statusOf maps both, so the errno-to-nfsstat3
 * table lives in exactly one place.
 */
import { NfsStat3 } from '../proto/nfs3/constants.js';

export class NfsError extends Error {
  constructor(
    readonly status: NfsStat3,
    message?: string,
  ) {
    super(message ?? NfsStat3[status] ?? `nfsstat3 ${status}`);
    this.name = 'NfsError';
  }
}

/** Follows knfsd's nfserrno() table, so clients see what they would see from the kernel server. */
const ERRNO_TO_STATUS: Readonly<Record<string, NfsStat3>> = {
  EPERM: NfsStat3.PERM,
  ENOENT: NfsStat3.NOENT,
  EIO: NfsStat3.IO,
  ENXIO: NfsStat3.NXIO,
  E2BIG: NfsStat3.FBIG,
  EBADF: NfsStat3.STALE,
  EACCES: NfsStat3.ACCES,
  EEXIST: NfsStat3.EXIST,
  EXDEV: NfsStat3.XDEV,
  EMLINK: NfsStat3.MLINK,
  ENODEV: NfsStat3.NODEV,
  ENOTDIR: NfsStat3.NOTDIR,
  EISDIR: NfsStat3.ISDIR,
  EINVAL: NfsStat3.INVAL,
  EFBIG: NfsStat3.FBIG,
  ENOSPC: NfsStat3.NOSPC,
  EROFS: NfsStat3.ROFS,
  ENAMETOOLONG: NfsStat3.NAMETOOLONG,
  ENOTEMPTY: NfsStat3.NOTEMPTY,
  EDQUOT: NfsStat3.DQUOT,
  ESTALE: NfsStat3.STALE,
  ETIMEDOUT: NfsStat3.JUKEBOX,
  EAGAIN: NfsStat3.JUKEBOX,
  ENOMEM: NfsStat3.JUKEBOX,
  ETXTBSY: NfsStat3.IO,
  EOPNOTSUPP: NfsStat3.NOTSUPP,
  ENOTSUP: NfsStat3.NOTSUPP,
  ENOSYS: NfsStat3.NOTSUPP,
  ENFILE: NfsStat3.SERVERFAULT,
  EMFILE: NfsStat3.SERVERFAULT,
  EREMOTEIO: NfsStat3.IO,
  EUCLEAN: NfsStat3.IO,
  ELOOP: NfsStat3.INVAL,
};

/** The nfsstat3 for any thrown value; unknown failures are SERVERFAULT, never a crash. */
export function statusOf(err: unknown): NfsStat3 {
  if (err instanceof NfsError) return err.status;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return ERRNO_TO_STATUS[code] ?? NfsStat3.IO;
  return NfsStat3.SERVERFAULT;
}

/** True when the error is a plain errno failure, the kind a client caused (not a server bug worth logging loudly). */
export function isErrno(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException | undefined)?.code === 'string';
}
