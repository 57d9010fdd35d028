/** NFSv3 attributes from the kernel's statx, as knfsd fills them. */
import { Ftype3 } from '../../proto/nfs3/constants.js';
import { FATTR3_BYTES, PackedFattr } from '../../proto/nfs3/common.js';
import type { WccAttr, WccData } from '../../proto/nfs3/types.js';
import type { RawStat } from './native.js';

const S_IFMT = 0o170000;

/** Ftype3 by the S_IFMT bits of a mode, shifted down; 0 for none. */
const TYPES: readonly number[] = (() => {
  const t = new Array<number>(16).fill(0);
  t[0o10] = Ftype3.REG;
  t[0o04] = Ftype3.DIR;
  t[0o06] = Ftype3.BLK;
  t[0o02] = Ftype3.CHR;
  t[0o12] = Ftype3.LNK;
  t[0o14] = Ftype3.SOCK;
  t[0o01] = Ftype3.FIFO;
  return t;
})();

function ftypeOfMode(mode: number): Ftype3 {
  const t = TYPES[(mode & S_IFMT) >>> 12]!;
  if (t === 0) throw new Error(`unknown file type in mode ${mode.toString(8)}`);
  return t;
}

export function ftypeOf(s: RawStat): Ftype3 {
  return ftypeOfMode(s.mode);
}

/** The export's fattr3.fsid as the two XDR words. */
export interface FsidWords {
  hi: number;
  lo: number;
}

export function fsidWords(fsid: bigint): FsidWords {
  return { hi: Number(fsid >> 32n), lo: Number(fsid & 0xffffffffn) };
}

/**
 * The fattr3 XDR of an S record (native.ts), written at `at` of `dst`:
 * field by field from little-endian to XDR, with no intermediate objects.
 * `fsid` is the export's stable filesystem id (from statfs f_fsid, which ext4
 * derives from its UUID).
 */
export function packFattr(s: Buffer, fsid: FsidWords, dst: Buffer, at: number): void {
  const mode = s.readUInt32LE(0);
  dst.writeUInt32BE(ftypeOfMode(mode), at);
  dst.writeUInt32BE(mode & 0o7777, at + 4);
  dst.writeUInt32BE(s.readUInt32LE(4), at + 8); // nlink
  dst.writeUInt32BE(s.readUInt32LE(8), at + 12); // uid
  dst.writeUInt32BE(s.readUInt32LE(12), at + 16); // gid
  dst.writeUInt32BE(s.readUInt32LE(28), at + 20); // size
  dst.writeUInt32BE(s.readUInt32LE(24), at + 24);
  // used: 512-byte blocks in bytes, as a 64-bit shift of the two words
  const blocksLo = s.readUInt32LE(32);
  dst.writeUInt32BE(((s.readUInt32LE(36) << 9) | (blocksLo >>> 23)) >>> 0, at + 28);
  dst.writeUInt32BE((blocksLo << 9) >>> 0, at + 32);
  dst.writeUInt32BE(s.readUInt32LE(16), at + 36); // rdev
  dst.writeUInt32BE(s.readUInt32LE(20), at + 40);
  dst.writeUInt32BE(fsid.hi, at + 44);
  dst.writeUInt32BE(fsid.lo, at + 48);
  dst.writeUInt32BE(s.readUInt32LE(44), at + 52); // fileid
  dst.writeUInt32BE(s.readUInt32LE(40), at + 56);
  // Times: the low word of the seconds (NFSv3 seconds are unsigned 32-bit: pre-1970 times wrap as knfsd's do).
  dst.writeUInt32BE(s.readUInt32LE(48), at + 60);
  dst.writeUInt32BE(s.readUInt32LE(56), at + 64);
  dst.writeUInt32BE(s.readUInt32LE(64), at + 68);
  dst.writeUInt32BE(s.readUInt32LE(72), at + 72);
  dst.writeUInt32BE(s.readUInt32LE(80), at + 76);
  dst.writeUInt32BE(s.readUInt32LE(88), at + 80);
}

export function toFattr(s: RawStat, fsid: FsidWords): PackedFattr {
  const b = Buffer.allocUnsafe(FATTR3_BYTES);
  packFattr(s.raw, fsid, b, 0);
  return new PackedFattr(b);
}

export function toWccAttr(s: RawStat): WccAttr {
  return { size: s.size, mtime: s.mtime, ctime: s.ctime };
}

export function toWcc(before: RawStat, after: RawStat, fsid: FsidWords): WccData {
  return { before: toWccAttr(before), after: toFattr(after, fsid) };
}
