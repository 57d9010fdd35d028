/**
 * Typed access to the nfsnode addon (native/nfsnode.c): kernel file handles,
 * *at operations under the caller's identity, and file I/O, each one job on
 * the libuv threadpool. This module only marshals arguments and decodes the
 * result records the C side documents; policy lives in the backend.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Credentials } from '../backend.js';
import { NfsError } from '../errors.js';
import { NfsStat3 } from '../../proto/nfs3/constants.js';
import { FATTR3_BYTES, PackedFattr } from '../../proto/nfs3/common.js';
import type { NfsTime3 } from '../../proto/nfs3/types.js';

type AddonCall = (
  op: number,
  creds: Uint32Array | null,
  params: Float64Array,
  b0?: Buffer | null,
  b1?: Buffer | null,
  b2?: Buffer | null,
  b3?: Buffer | null,
  data?: Buffer | null,
) => Promise<Buffer>;

interface Addon {
  /** One job, queued now. */
  call: AddonCall;
  /** One job, queued at the next flush() in one batch with the others held under the same key. */
  hold: (key: number, ...args: Parameters<AddonCall>) => Promise<Buffer>;
  flush(): void;
  watchInit(): number;
  watchDrain(fd: number): Buffer;
  watchRemove(fd: number, wd: number): void;
}

/** Must match `enum op` in native/nfsnode.c. */
const enum Op {
  OPEN_ROOT,
  GETATTR,
  STATFS,
  LOOKUP,
  LOOKUP_MANY,
  ACCESS,
  READLINK,
  OPEN_FILE,
  PREAD,
  PWRITE,
  FSYNC,
  SETATTR,
  CREATE,
  REMOVE,
  RENAME,
  LINK,
  LISTDIR,
  CLOSE,
}

/** The addon beside the package: walk up to package.json, then build/Release. NFSNODE_ADDON overrides. */
export function addonPath(): string {
  const override = process.env['NFSNODE_ADDON'];
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'build', 'Release', 'nfsnode.node');
    const up = dirname(dir);
    if (up === dir) {
      throw new Error('nfsnode addon not found: no package.json above this module; set NFSNODE_ADDON to build/Release/nfsnode.node');
    }
    dir = up;
  }
}

let addon: Addon | undefined;

/** Loaded on first use, so importing the backend costs nothing for applications that never create one. */
function native(): Addon {
  if (!addon) {
    const path = addonPath();
    try {
      addon = createRequire(import.meta.url)(path) as Addon;
    } catch (err) {
      throw new Error(`cannot load the nfsnode addon at ${path} (build it with \`npm install\` or \`node-gyp rebuild\`): ${(err as Error).message}`);
    }
  }
  return addon;
}

/**
 * Short jobs (an object by handle, an open, a close, a small read or
 * UNSTABLE write; no fsync, no directory scan): those issued in one turn of
 * the event loop under the same key run as one threadpool job, which saves
 * a thread wakeup and a completion per call. A key is a mount descriptor or
 * one export's key for its files (Descriptors.batchKey), so a batch never
 * mixes two filesystems: a stalled disk holds up only calls to that disk.
 * Anything that may take long or must be ordered after earlier work (fsync,
 * synchronous writes, changes to directories) runs alone, at once.
 */
const BATCHED = new Set<Op>([Op.GETATTR, Op.STATFS, Op.LOOKUP, Op.ACCESS, Op.READLINK, Op.OPEN_FILE, Op.CLOSE]);
/** Reads and UNSTABLE writes up to this size are short enough to batch. */
const BATCHED_IO_MAX = 64 << 10;

let flushQueued = false;

/** In the check phase: after every call that the I/O events of this loop turn started. */
function flushHeld(): void {
  flushQueued = false;
  native().flush();
}

/**
 * One addon job; `batch` is the key it may be batched under (BATCHED ops
 * use their first parameter). A failed SETATTR guard comes back with code
 * 'NOT_SYNC' and leaves as NfsError(NOT_SYNC).
 */
async function call(
  op: Op,
  creds: Credentials | null,
  params: readonly number[],
  b0?: Buffer | null,
  b1?: Buffer | null,
  b2?: Buffer | null,
  b3?: Buffer | null,
  data?: Buffer | null,
  batch?: number,
): Promise<Cursor> {
  const a = native();
  const key = BATCHED.has(op) ? params[0] : batch;
  if (key !== undefined && !flushQueued) {
    flushQueued = true;
    setImmediate(flushHeld);
  }
  try {
    const packed = creds && packCreds(creds);
    const p = Float64Array.from(params);
    return new Cursor(await (key === undefined ? a.call(op, packed, p, b0, b1, b2, b3, data) : a.hold(key, op, packed, p, b0, b1, b2, b3, data)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'NOT_SYNC') throw new NfsError(NfsStat3.NOT_SYNC);
    throw err;
  }
}

const MAX_GROUPS = 64;

function packCreds(c: Credentials): Uint32Array {
  if (c.gids.length > MAX_GROUPS) throw new NfsError(NfsStat3.PERM, `more than ${MAX_GROUPS} groups`);
  const out = new Uint32Array(3 + c.gids.length);
  out[0] = c.uid;
  out[1] = c.gid;
  out[2] = c.gids.length;
  out.set(c.gids, 3);
  return out;
}

const STAT_BYTES = 112;

/** NFSv3 seconds are unsigned 32-bit: the low word of the i64, so pre-1970 times wrap as knfsd's do. */
function timeAt(b: Buffer, p: number): NfsTime3 {
  return { seconds: b.readUInt32LE(p), nseconds: b.readUInt32LE(p + 8) };
}

/**
 * An S record of the C side, decoded field by field when read: most callers
 * need a few fields, and READDIRPLUS passes the bytes on (attrs.ts) without
 * decoding any. `raw` is a view into the job's result, which nothing reuses.
 */
export class RawStat {
  constructor(readonly raw: Buffer) {
    if (raw.length !== STAT_BYTES) throw new RangeError('nfsnode result truncated');
  }
  get mode(): number {
    return this.raw.readUInt32LE(0);
  }
  get nlink(): number {
    return this.raw.readUInt32LE(4);
  }
  get uid(): number {
    return this.raw.readUInt32LE(8);
  }
  get gid(): number {
    return this.raw.readUInt32LE(12);
  }
  get rdevMajor(): number {
    return this.raw.readUInt32LE(16);
  }
  get rdevMinor(): number {
    return this.raw.readUInt32LE(20);
  }
  get size(): bigint {
    return this.raw.readBigUInt64LE(24);
  }
  get blocks(): bigint {
    return this.raw.readBigUInt64LE(32);
  }
  get ino(): bigint {
    return this.raw.readBigUInt64LE(40);
  }
  get atime(): NfsTime3 {
    return timeAt(this.raw, 48);
  }
  get mtime(): NfsTime3 {
    return timeAt(this.raw, 64);
  }
  get ctime(): NfsTime3 {
    return timeAt(this.raw, 80);
  }
  get mntId(): bigint {
    return this.raw.readBigUInt64LE(96);
  }
}

class Cursor {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  u8(): number {
    return this.buf.readUInt8(this.at++);
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }

  i32(): number {
    const v = this.buf.readInt32LE(this.at);
    this.at += 4;
    return v;
  }

  u64(): bigint {
    const v = this.buf.readBigUInt64LE(this.at);
    this.at += 8;
    return v;
  }

  /** A view into the result buffer (which nothing else reuses). */
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new RangeError('nfsnode result truncated');
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  handle(): Buffer {
    return this.bytes(this.u8());
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }

  stat(): RawStat {
    return new RawStat(this.bytes(STAT_BYTES));
  }
}

export interface RootInfo {
  fd: number;
  fsid: [number, number];
  fsType: bigint;
  handle: Buffer;
  stat: RawStat;
}

/** Opens a directory by path (O_RDONLY|O_DIRECTORY, as the server) and says which filesystem and object it is. */
export async function openRoot(path: string): Promise<RootInfo> {
  const c = await call(Op.OPEN_ROOT, null, [], Buffer.from(path));
  const fd = c.i32();
  const fsid: [number, number] = [c.u32(), c.u32()];
  return { fd, fsid, fsType: c.u64(), handle: Buffer.from(c.handle()), stat: c.stat() };
}

/** Closes issued in one turn with the same `batch` key (one export's) run as one job. */
export async function close(fd: number, batch = fd): Promise<void> {
  await call(Op.CLOSE, null, [batch, fd]);
}

export async function getattr(mount: number, h: Buffer): Promise<RawStat> {
  return (await watchedGetattr(mount, h, -1)).stat;
}

/**
 * GETATTR with, if `watchFd` is an inotify descriptor, a watch on the object
 * added before its attributes were read: `wd`, -1 for none (symbolic links
 * are never watched).
 */
export async function watchedGetattr(mount: number, h: Buffer, watchFd: number): Promise<{ stat: RawStat; wd: number }> {
  const c = await call(Op.GETATTR, null, [mount, watchFd], h);
  return { stat: c.stat(), wd: c.i32() };
}

export interface RawStatfs {
  bsize: bigint;
  frsize: bigint;
  blocks: bigint;
  bfree: bigint;
  bavail: bigint;
  files: bigint;
  ffree: bigint;
  namelen: bigint;
  fsType: bigint;
  stat: RawStat;
}

export async function statfs(mount: number, h: Buffer): Promise<RawStatfs> {
  const c = await call(Op.STATFS, null, [mount], h);
  return {
    bsize: c.u64(),
    frsize: c.u64(),
    blocks: c.u64(),
    bfree: c.u64(),
    bavail: c.u64(),
    files: c.u64(),
    ffree: c.u64(),
    namelen: c.u64(),
    fsType: c.u64(),
    stat: c.stat(),
  };
}

export interface Found {
  handle: Buffer;
  stat: RawStat;
}

/**
 * LOOKUP; with an inotify descriptor `watchFd`, the directory watched before
 * the name was looked up (`dirWd`) and the object before its attributes were
 * read (`wd`), as watchedGetattr() does; -1 for no watch.
 */
export async function lookup(
  cred: Credentials,
  mount: number,
  dir: Buffer,
  name: Buffer,
  watchFd = -1,
): Promise<Found & { dir: RawStat; dirWd: number; wd: number }> {
  const c = await call(Op.LOOKUP, cred, [mount, watchFd], dir, name);
  return { handle: Buffer.from(c.handle()), stat: c.stat(), dir: c.stat(), dirWd: c.i32(), wd: c.i32() };
}

/** A name to look up with lookupMany, and what the caller already holds for it. */
export interface NameToFind {
  name: Buffer;
  /** The inode number the directory listing gave it. */
  ino: bigint;
  /** A handle held for the name from an earlier lookupMany, and the birth time that came with it. */
  held?: HeldHandle;
}

export interface HeldHandle {
  handle: Buffer;
  birthSec: number;
  birthNsec: number;
}

export interface FoundEntry {
  attrs: PackedFattr;
  /** A new handle, when the one held (if any) no longer applies; with `keep` when it may be held from now on. */
  handle?: Buffer;
  keep?: HeldHandle;
  /** The object's inode number differs from the listing's (the attributes' fileid is the one to report). */
  inoDiffers: boolean;
}

/** Must match NO_BTIME and LM_* in native/nfsnode.c. */
const NO_BTIME = 0xffffffff;
const LM_HANDLE = 1;
const LM_FILEID = 2;

/**
 * Handles and attributes of many names of one directory in one job. A name
 * whose held handle still names the same inode (same number and birth time)
 * costs one statx and comes back without a handle; a name that cannot be
 * looked up comes back as its errno (EXDEV: a mount point inside the export).
 * Attributes come as XDR made by the addon, with the export's `fsid`.
 */
export async function lookupMany(
  cred: Credentials,
  mount: number,
  fsid: { hi: number; lo: number },
  dir: Buffer,
  names: readonly NameToFind[],
): Promise<(FoundEntry | number)[]> {
  let size = 0;
  for (const n of names) size += 21 + n.name.length;
  const packed = Buffer.allocUnsafe(size);
  let at = 0;
  for (const n of names) {
    at = packed.writeUInt8(n.name.length, at);
    at += n.name.copy(packed, at);
    at = packed.writeBigUInt64LE(n.ino, at);
    const h = n.held;
    at = packed.writeUInt32LE(h ? h.birthSec >>> 0 : 0, at);
    at = packed.writeInt32LE(h ? Math.floor(h.birthSec / 0x1_0000_0000) : 0, at);
    at = packed.writeUInt32LE(h ? h.birthNsec : NO_BTIME, at);
  }
  const c = await call(Op.LOOKUP_MANY, cred, [mount, names.length, fsid.hi, fsid.lo], dir, null, null, null, packed);
  const out = new Array<FoundEntry | number>(names.length);
  for (let i = 0; i < names.length; i++) {
    const errno = c.i32();
    if (errno !== 0) {
      out[i] = errno;
      continue;
    }
    const flags = c.u8();
    let handle: Buffer | undefined;
    let keep: HeldHandle | undefined;
    if (flags & LM_HANDLE) {
      handle = Buffer.from(c.handle());
      const lo = c.u32();
      const birthSec = c.i32() * 0x1_0000_0000 + lo;
      const birthNsec = c.u32();
      if (birthNsec !== NO_BTIME) keep = { handle, birthSec, birthNsec };
    }
    out[i] = { attrs: new PackedFattr(c.bytes(FATTR3_BYTES)), handle, keep, inoDiffers: (flags & LM_FILEID) !== 0 };
  }
  return out;
}

/** R/W/X (4/2/1) as the kernel grants them to the caller, plus attributes. */
export async function access(cred: Credentials, mount: number, h: Buffer): Promise<{ granted: number; stat: RawStat }> {
  const c = await call(Op.ACCESS, cred, [mount], h);
  return { granted: c.u32(), stat: c.stat() };
}

export async function readlink(mount: number, h: Buffer): Promise<{ target: Buffer; stat: RawStat }> {
  const c = await call(Op.READLINK, null, [mount], h);
  const stat = c.stat();
  return { stat, target: Buffer.from(c.bytes(c.u32())) };
}

/** A descriptor for I/O on a regular file (EISDIR / EINVAL otherwise), opened as the server. */
export async function openFile(mount: number, h: Buffer, writable: boolean): Promise<{ fd: number; stat: RawStat }> {
  const c = await call(Op.OPEN_FILE, null, [mount, writable ? 1 : 0], h);
  return { fd: c.i32(), stat: c.stat() };
}

/**
 * Reads into `into` (at most into.length bytes) after checking the caller may read (owner, or r or x).
 * A small read is batched under `batch` (the export's key for its files).
 */
export async function pread(
  cred: Credentials,
  fd: number,
  offset: number,
  into: Buffer,
  batch: number,
): Promise<{ bytes: number; stat: RawStat }> {
  const key = into.length <= BATCHED_IO_MAX ? batch : undefined;
  const c = await call(Op.PREAD, cred, [fd, offset, into.length], null, null, null, null, into, key);
  return { bytes: c.u32(), stat: c.stat() };
}

/** `stable`: 0 none, 1 fdatasync, 2 fsync before returning. A small UNSTABLE write is batched under `batch`. */
export async function pwrite(
  cred: Credentials,
  fd: number,
  offset: number,
  data: Buffer,
  stable: 0 | 1 | 2,
  batch: number,
): Promise<{ bytes: number; before: RawStat; after: RawStat }> {
  const key = stable === 0 && data.length <= BATCHED_IO_MAX ? batch : undefined;
  const c = await call(Op.PWRITE, cred, [fd, offset, stable], null, null, null, null, data, key);
  return { bytes: c.u32(), before: c.stat(), after: c.stat() };
}

export async function fsync(fd: number, dataOnly = false): Promise<{ before: RawStat; after: RawStat }> {
  const c = await call(Op.FSYNC, null, [fd, dataOnly ? 1 : 0]);
  return { before: c.stat(), after: c.stat() };
}

export interface SetattrSpec {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  /** 'now' is the server's clock (SET_TO_SERVER_TIME). */
  atime?: NfsTime3 | 'now';
  mtime?: NfsTime3 | 'now';
  guardCtime?: NfsTime3;
}

/** Bits of the C side's SA_* mask. */
const SA = { MODE: 1, UID: 2, GID: 4, SIZE: 8, ATIME: 16, ATIME_NOW: 32, MTIME: 64, MTIME_NOW: 128, GUARD: 256 };

export async function setattr(cred: Credentials, mount: number, h: Buffer, s: SetattrSpec): Promise<{ before: RawStat; after: RawStat }> {
  let mask = 0;
  const p = new Array<number>(12).fill(0);
  p[0] = mount;
  if (s.mode !== undefined) (mask |= SA.MODE), (p[2] = s.mode);
  if (s.uid !== undefined) (mask |= SA.UID), (p[3] = s.uid);
  if (s.gid !== undefined) (mask |= SA.GID), (p[4] = s.gid);
  if (s.size !== undefined) (mask |= SA.SIZE), (p[5] = s.size);
  if (s.atime === 'now') mask |= SA.ATIME_NOW;
  else if (s.atime) (mask |= SA.ATIME), (p[6] = s.atime.seconds), (p[7] = s.atime.nseconds);
  if (s.mtime === 'now') mask |= SA.MTIME_NOW;
  else if (s.mtime) (mask |= SA.MTIME), (p[8] = s.mtime.seconds), (p[9] = s.mtime.nseconds);
  if (s.guardCtime) (mask |= SA.GUARD), (p[10] = s.guardCtime.seconds), (p[11] = s.guardCtime.nseconds);
  p[1] = mask;
  const c = await call(Op.SETATTR, cred, p, h);
  return { before: c.stat(), after: c.stat() };
}

export interface CreateSpec {
  /** Ftype3 value. */
  type: number;
  mode: number;
  /** 0 unchecked, 1 guarded, 2 exclusive (regular files). */
  how?: 0 | 1 | 2;
  device?: { major: number; minor: number };
  target?: Buffer;
  /** EXCLUSIVE: the verifier as the atime/mtime seconds it is stored in. */
  verifierTimes?: { atime: number; mtime: number };
}

export interface Created extends Found {
  existed: boolean;
  dirBefore: RawStat;
  dirAfter: RawStat;
  /** With `keepOpen`: a read-write descriptor of the regular file this call made; the caller must close it. */
  fd?: number;
}

/** `keepOpen`: return a descriptor of a regular file the call creates (not of one that existed). */
export async function create(
  cred: Credentials,
  mount: number,
  dir: Buffer,
  name: Buffer,
  s: CreateSpec,
  keepOpen = false,
): Promise<Created> {
  const params = [
    mount,
    s.type,
    s.mode,
    s.how ?? 1,
    s.device?.major ?? 0,
    s.device?.minor ?? 0,
    s.verifierTimes?.atime ?? 0,
    s.verifierTimes?.mtime ?? 0,
    keepOpen ? 1 : 0,
  ];
  const c = await call(Op.CREATE, cred, params, dir, name, s.target ?? null);
  const existed = c.u8() === 1;
  const made: Created = { existed, handle: Buffer.from(c.handle()), stat: c.stat(), dirBefore: c.stat(), dirAfter: c.stat() };
  if (keepOpen) {
    const fd = c.i32();
    if (fd >= 0) made.fd = fd;
  }
  return made;
}

export interface DirChange {
  before: RawStat;
  after: RawStat;
}

function victim(c: Cursor): Buffer | undefined {
  return c.u8() === 1 ? Buffer.from(c.handle()) : undefined;
}

/** Also returns the handle the name had, so cached descriptors of a removed file can be dropped. */
export async function remove(
  cred: Credentials,
  mount: number,
  dir: Buffer,
  name: Buffer,
  isDir: boolean,
): Promise<{ victim?: Buffer; dir: DirChange }> {
  const c = await call(Op.REMOVE, cred, [mount, isDir ? 1 : 0], dir, name);
  const v = victim(c);
  return { victim: v, dir: { before: c.stat(), after: c.stat() } };
}

export async function rename(
  cred: Credentials,
  mount: number,
  fromDir: Buffer,
  fromName: Buffer,
  toDir: Buffer,
  toName: Buffer,
): Promise<{ victim?: Buffer; from: DirChange; to: DirChange }> {
  const c = await call(Op.RENAME, cred, [mount], fromDir, fromName, toDir, toName);
  const v = victim(c);
  const from = { before: c.stat(), after: c.stat() };
  return { victim: v, from, to: { before: c.stat(), after: c.stat() } };
}

export async function link(
  cred: Credentials,
  mount: number,
  file: Buffer,
  dir: Buffer,
  name: Buffer,
): Promise<{ stat: RawStat; dir: DirChange }> {
  const c = await call(Op.LINK, cred, [mount], file, dir, name);
  const stat = c.stat();
  return { stat, dir: { before: c.stat(), after: c.stat() } };
}

/**
 * A directory's names, sorted by cookie, as typed arrays over the addon's
 * result instead of an object per name: a listing costs about 21 bytes plus
 * its name per entry, outside V8's heap (objects cost ~200 bytes of heap each,
 * so a directory of a few million names would have filled it).
 */
export class Listing {
  /** READDIRPLUS's handles of listed names, by index (see lookupMany): kept for as long as the listing is. */
  readonly held: (HeldHandle | undefined)[] = [];
  /** Attributes READDIRPLUS may reuse, managed by EntryAttrs (entry-attrs.ts). */
  reuse: ReusableAttrs | undefined;
  /** The watch reported a name added, removed or renamed since the listing was made (or lost events). */
  membersChanged = false;

  constructor(
    readonly stat: RawStat,
    readonly dotdotIno: bigint,
    readonly cookies: BigUint64Array,
    readonly inos: BigUint64Array,
    /** Where each name's length byte is in `raw`; the name follows it. */
    private readonly nameAt: Uint32Array,
    private readonly raw: Buffer,
    /** The inotify watch on the directory, added before it was read; -1: none (or no longer). */
    public wd: number,
  ) {}

  get count(): number {
    return this.cookies.length;
  }

  name(i: number): Buffer {
    const at = this.nameAt[i]!;
    return this.raw.subarray(at + 1, at + 1 + this.raw[at]!);
  }
}

/** What EntryAttrs keeps with a listing: each entry's fattr3 and when it was read (0: not kept). */
export interface ReusableAttrs {
  /** The change count (EntryAttrs) they were read at; none is valid at any other. */
  generation: number;
  fattrs: Buffer;
  readAt: Float64Array;
}

/**
 * The whole directory (the caller needs read permission), sorted by the stable cookie of each name,
 * "." and ".." excluded; with `watchFd` (an inotify descriptor), the directory is watched first.
 */
export async function listdir(cred: Credentials, mount: number, dir: Buffer, watchFd = -1): Promise<Listing> {
  const c = await call(Op.LISTDIR, cred, [mount, watchFd], dir);
  const stat = c.stat();
  const dotdotIno = c.u64();
  const n = c.u32();
  const raw = c.bytes(c.remaining - 4);
  const cookies = new BigUint64Array(n);
  const inos = new BigUint64Array(n);
  const nameAt = new Uint32Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    cookies[i] = raw.readBigUInt64LE(at);
    inos[i] = raw.readBigUInt64LE(at + 8);
    nameAt[i] = at + 16;
    at += 17 + raw[at + 16]!;
    if (at > raw.length) throw new RangeError('nfsnode result truncated');
  }
  return new Listing(stat, dotdotIno, cookies, inos, nameAt, raw, c.i32());
}

/** A non-blocking inotify descriptor (synchronous: it touches no disk). */
export function watchInit(): number {
  return native().watchInit();
}

export interface WatchEvent {
  wd: number;
  mask: number;
  /** listdir's cookie of the event's name; 0n for an event without a name. */
  cookie: bigint;
}

/** Every event queued on an inotify descriptor (synchronous, never blocks). */
export function watchDrain(fd: number): WatchEvent[] {
  const b = native().watchDrain(fd);
  const out: WatchEvent[] = [];
  for (let at = 0; at + 16 <= b.length; at += 16) {
    out.push({ wd: b.readInt32LE(at), mask: b.readUInt32LE(at + 4), cookie: b.readBigUInt64LE(at + 8) });
  }
  return out;
}

export function watchRemove(fd: number, wd: number): void {
  native().watchRemove(fd, wd);
}
