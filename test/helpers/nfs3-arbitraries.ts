/**
 * fast-check arbitraries for the NFSv3 types shared across procedures
 * (RFC 1813 section 2.5-2.6). Every value generated is encodable, and
 * decoding its encoding gives it back (after dropping undefined keys, see
 * codec-properties.ts). Sizes are kept small so property runs stay fast.
 */
import fc from 'fast-check';
import {
  CreateMode,
  Ftype3,
  MAX_NAME_BYTES,
  NFS3_FHSIZE,
  NfsStat3,
  StableHow,
  TimeHow,
} from '../../src/proto/nfs3/constants.js';
import type { DirOpArgs, NewObjectResult, NfsResult } from '../../src/proto/nfs3/common.js';
import type { Fattr3, FileHandle, NfsTime3, Sattr3, SetTime, SpecData3, WccAttr, WccData } from '../../src/proto/nfs3/types.js';

export const u32 = fc.nat({ max: 0xffff_ffff });
export const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

/** Opaque bytes of at most `maxLength` as a Buffer. */
export function bytes(maxLength: number, minLength = 0): fc.Arbitrary<Buffer> {
  return fc.uint8Array({ minLength, maxLength }).map((a) => Buffer.from(a));
}

/** A fixed 8-byte verifier (cookieverf3, createverf3, writeverf3). */
export const verifier8: fc.Arbitrary<Buffer> = bytes(8, 8);

export const nfsTime3: fc.Arbitrary<NfsTime3> = fc.record({ seconds: u32, nseconds: u32 });
export const specData3: fc.Arbitrary<SpecData3> = fc.record({ major: u32, minor: u32 });

export const ftype3: fc.Arbitrary<Ftype3> = fc.constantFrom(
  Ftype3.REG,
  Ftype3.DIR,
  Ftype3.BLK,
  Ftype3.CHR,
  Ftype3.LNK,
  Ftype3.SOCK,
  Ftype3.FIFO,
);

export const fattr3: fc.Arbitrary<Fattr3> = fc.record({
  type: ftype3,
  mode: u32,
  nlink: u32,
  uid: u32,
  gid: u32,
  size: u64,
  used: u64,
  rdev: specData3,
  fsid: u64,
  fileid: u64,
  atime: nfsTime3,
  mtime: nfsTime3,
  ctime: nfsTime3,
});

/** post_op_attr: present or absent. */
export const postOpAttr: fc.Arbitrary<Fattr3 | undefined> = fc.option(fattr3, { nil: undefined });

export const wccAttr: fc.Arbitrary<WccAttr> = fc.record({ size: u64, mtime: nfsTime3, ctime: nfsTime3 });

export const wccData: fc.Arbitrary<WccData> = fc.record(
  { before: wccAttr, after: fattr3 },
  { requiredKeys: [] },
);

const setTime: fc.Arbitrary<SetTime> = fc.oneof(
  fc.constant({ how: TimeHow.SET_TO_SERVER_TIME as const }),
  fc.record({ how: fc.constant(TimeHow.SET_TO_CLIENT_TIME as const), time: nfsTime3 }),
);

export const sattr3: fc.Arbitrary<Sattr3> = fc.record(
  { mode: u32, uid: u32, gid: u32, size: u64, atime: setTime, mtime: setTime },
  { requiredKeys: [] },
);

/** nfs_fh3 as the wire allows it: 0..64 opaque bytes (not necessarily one this server issued). */
export const fileHandle: fc.Arbitrary<FileHandle> = bytes(NFS3_FHSIZE);

/** post_op_fh3. */
export const postOpFh: fc.Arbitrary<FileHandle | undefined> = fc.option(fileHandle, { nil: undefined });

/** filename3 as the wire allows it: any bytes, short enough to keep runs fast (the codec bound is MAX_NAME_BYTES). */
export const wireName: fc.Arbitrary<Buffer> = bytes(Math.min(MAX_NAME_BYTES, 40));

/** A name handlers accept for a new entry: 1..255 bytes, no '/', no NUL, not "." or "..". */
export const validName: fc.Arbitrary<Buffer> = fc
  .uint8Array({ minLength: 1, maxLength: 255 })
  .map((a) => Buffer.from(a.map((b) => (b === 0 || b === 0x2f ? 0x61 : b))))
  .filter((b) => !b.equals(Buffer.from('.')) && !b.equals(Buffer.from('..')));

/** nfspath3 on the wire: bytes, kept short. */
export const wirePath: fc.Arbitrary<Buffer> = bytes(80);

export const dirOpArgs: fc.Arbitrary<DirOpArgs> = fc.record({ dir: fileHandle, name: wireName });

export const stableHow: fc.Arbitrary<StableHow> = fc.constantFrom(
  StableHow.UNSTABLE,
  StableHow.DATA_SYNC,
  StableHow.FILE_SYNC,
);

export const createMode: fc.Arbitrary<CreateMode> = fc.constantFrom(
  CreateMode.UNCHECKED,
  CreateMode.GUARDED,
  CreateMode.EXCLUSIVE,
);

/** Every nfsstat3 value. */
export const nfsStat3: fc.Arbitrary<NfsStat3> = fc.constantFrom(
  ...(Object.values(NfsStat3).filter((v) => typeof v === 'number') as NfsStat3[]),
);

/** Every nfsstat3 but OK: the status of a resfail arm. */
export const errorStatus: fc.Arbitrary<Exclude<NfsStat3, NfsStat3.OK>> = nfsStat3.filter(
  (s): s is Exclude<NfsStat3, NfsStat3.OK> => s !== NfsStat3.OK,
);

/** An NFSv3 result (NfsResult in common.ts): the resok arm with OK, the resfail arm with any other status. */
export function nfsResult<Ok extends object, Fail extends object>(
  ok: fc.Arbitrary<Ok>,
  fail: fc.Arbitrary<Fail>,
): fc.Arbitrary<NfsResult<Ok, Fail>> {
  return fc.oneof(
    ok.map((o): NfsResult<Ok, Fail> => ({ status: NfsStat3.OK, ...o })),
    fc.tuple(errorStatus, fail).map(([status, f]): NfsResult<Ok, Fail> => ({ status, ...f })),
  );
}

/** NewObjectResult (common.ts): CREATE3res, MKDIR3res, SYMLINK3res and MKNOD3res. */
export const newObjectResult: fc.Arbitrary<NewObjectResult> = nfsResult(
  fc.record({ obj: postOpFh, objAttributes: postOpAttr, dirWcc: wccData }),
  fc.record({ dirWcc: wccData }),
);
