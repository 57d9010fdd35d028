/**
 * Hand-worked annotated-hex pieces of RFC 1813 XDR shared by the per-procedure
 * fixtures, each with the value it encodes. Every piece starts and ends with a
 * newline so it can be interpolated into a hex`...` fixture line-wise.
 */
import { Ftype3 } from '../../src/proto/nfs3/constants.js';
import type { Fattr3, WccAttr } from '../../src/proto/nfs3/types.js';

/** nfs_fh3 of 8 bytes. */
export const FH_HEX = `
  00000008                  // nfs_fh3 length 8
  0102030405060708          // nfs_fh3 data
`;
export const FH = Buffer.from('0102030405060708', 'hex');

/** A second handle, 12 bytes, for the object a result names. */
export const FH2_HEX = `
  0000000c                  // nfs_fh3 length 12
  a1a2a3a4a5a6a7a8a9aaabac  // nfs_fh3 data
`;
export const FH2 = Buffer.from('a1a2a3a4a5a6a7a8a9aaabac', 'hex');

/** fattr3 of a regular file. */
export const FATTR_HEX = `
  00000001                  // type NF3REG
  000001a4                  // mode 0644
  00000001                  // nlink 1
  000003e8                  // uid 1000
  000003e9                  // gid 1001
  0000000000001000          // size 4096
  0000000000002000          // used 8192
  00000000 00000000         // rdev 0,0
  000000000000002a          // fsid 42
  0000000000000063          // fileid 99
  65000000 00000001         // atime
  65000001 00000002         // mtime
  65000002 00000003         // ctime
`;
export const FATTR: Fattr3 = {
  type: Ftype3.REG,
  mode: 0o644,
  nlink: 1,
  uid: 1000,
  gid: 1001,
  size: 4096n,
  used: 8192n,
  rdev: { major: 0, minor: 0 },
  fsid: 42n,
  fileid: 99n,
  atime: { seconds: 0x65000000, nseconds: 1 },
  mtime: { seconds: 0x65000001, nseconds: 2 },
  ctime: { seconds: 0x65000002, nseconds: 3 },
};

/** wcc_attr. */
export const WCC_ATTR_HEX = `
  0000000000000800          // wcc_attr size 2048
  64000000 00000004         // wcc_attr mtime
  64000001 00000005         // wcc_attr ctime
`;
export const WCC_ATTR: WccAttr = {
  size: 2048n,
  mtime: { seconds: 0x64000000, nseconds: 4 },
  ctime: { seconds: 0x64000001, nseconds: 5 },
};

/** sattr3 setting nothing. */
export const SATTR_NONE_HEX = `
  00000000                  // set_mode3: no
  00000000                  // set_uid3: no
  00000000                  // set_gid3: no
  00000000                  // set_size3: no
  00000000                  // set_atime: DONT_CHANGE
  00000000                  // set_mtime: DONT_CHANGE
`;

/** sattr3 setting only the mode, to 0644. */
export const SATTR_MODE_HEX = `
  00000001 000001a4         // set_mode3: yes, 0644
  00000000                  // set_uid3: no
  00000000                  // set_gid3: no
  00000000                  // set_size3: no
  00000000                  // set_atime: DONT_CHANGE
  00000000                  // set_mtime: DONT_CHANGE
`;
