/** MOUNT protocol constants (RFC 1813 appendix I; version 1 from RFC 1094 appendix A). */

export const MOUNT_PROGRAM = 100005;
export const MOUNT_V1 = 1;
export const MOUNT_V3 = 3;

/** Maximum bytes in a path name and in a host or group name. */
export const MNTPATHLEN = 1024;
export const MNTNAMLEN = 255;
/** fhandle3 is opaque<64>; the version 1 fhandle is a fixed 32 bytes. */
export const FHSIZE3 = 64;
export const FHSIZE = 32;

/**
 * The RFC leaves auth_flavors<> unbounded; a server offers a handful
 * (AUTH_SYS, the RPCSEC_GSS pseudo-flavors), so this bounds decoding only.
 */
export const MAX_AUTH_FLAVORS = 64;

/**
 * mountstat3. Version 1 has no enum, only "a UNIX error number"; the
 * errno-valued members here cover every status a MOUNT v1 server sends.
 */
export enum MountStat3 {
  OK = 0,
  PERM = 1,
  NOENT = 2,
  IO = 5,
  ACCES = 13,
  NOTDIR = 20,
  INVAL = 22,
  NAMETOOLONG = 63,
  NOTSUPP = 10004,
  SERVERFAULT = 10006,
}

/** Procedure numbers, the same in versions 1 and 3. */
export enum MountProc {
  NULL = 0,
  MNT = 1,
  DUMP = 2,
  UMNT = 3,
  UMNTALL = 4,
  EXPORT = 5,
}
