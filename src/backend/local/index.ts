/**
 * The local-directory backend: exports a directory of this host.
 *
 * Handles are the kernel's own (name_to_handle_at): a one-byte handle type
 * and the filesystem's bytes (ext4: inode + generation). They resolve with
 * open_by_handle_at from nothing but the handle and a descriptor of the export
 * root, so they survive renames, server restarts and unplugging/replugging
 * the media (even on another device number: ext4's f_fsid comes from its
 * UUID), and a removed file's handle is STALE even after its inode number is
 * reused.
 *
 * Right filesystem or nothing: the export's identity (statfs f_fsid and f_type,
 * plus the root's own handle) is recorded at creation and checked whenever the
 * root is opened again; if something else is at the path (the empty mount
 * point after an unplug, another disk), calls fail STALE and nothing is
 * touched. present() tells whether the right filesystem is there.
 *
 * Nothing is held while idle: see descriptors.ts. Permissions are the
 * kernel's: operations for a client run under the client's fsuid/fsgid/groups
 * on the worker thread (see native/nfsnode.c).
 *
 * Needs CAP_DAC_READ_SEARCH (open_by_handle_at), i.e. root.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import type {
  Backend,
  CommitResult,
  CreatedResult,
  CreateHow,
  DirEntry,
  DirPage,
  FsInfo,
  FsStat,
  HoldReport,
  LookupResult,
  OpContext,
  PathConf,
  ReaddirRequest,
  ReadResult,
  WriteResult,
} from '../backend.js';
import { NfsError, statusOf } from '../errors.js';
import {
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
  CreateMode,
  FSF3_CANSETTIME,
  FSF3_HOMOGENEOUS,
  FSF3_LINK,
  FSF3_SYMLINK,
  Ftype3,
  NfsStat3,
  StableHow,
  TimeHow,
} from '../../proto/nfs3/constants.js';
import type { Fattr3, FileHandle, NfsTime3, Sattr3, SetTime, SpecData3, WccData } from '../../proto/nfs3/types.js';
import type { PackedFattr } from '../../proto/nfs3/common.js';
import { silentLogger, type Logger } from '../../server/log.js';
import { fsidWords, ftypeOf, toFattr, toWcc, type FsidWords } from './attrs.js';
import { Descriptors, type FileLease } from './descriptors.js';
import { changes, EntryAttrs, type Looked } from './entry-attrs.js';
import { borrow } from '../../xdr/lent-buffers.js';
import { firstAfter, ListingCache } from './listings.js';
import * as native from './native.js';
import type { Created, Listing, RawStat, SetattrSpec } from './native.js';

export interface LocalBackendOptions {
  /** The directory to export (a filesystem root or any directory in one). */
  path: string;
  /** Descriptors unused for this long are closed (default 2000 ms). */
  idleMs?: number;
  /**
   * At most this many file descriptors stay cached for READ/WRITE (default
   * 1024: one busy file for each of as many clients as the server accepts
   * connections; fewer made many clients evict each other's descriptors, and
   * each eviction of written data is an fsync). None stay once idle.
   */
  maxCachedFds?: number;
  log?: Logger;
}

/** What "the right filesystem" is for this export. */
interface Identity {
  fsid: [number, number];
  fsType: bigint;
  rootHandle: Buffer;
}

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');
/** Largest READ served in one call; the NFS layer asks for at most its rtmax. */
const MAX_IO = 4 * 1024 * 1024;
/** Entries per READDIR page at most. */
const MAX_PAGE = 1024;
/**
 * READDIRPLUS looks a page's names up in this many jobs at once (one per
 * CPU), so a client waiting for the page waits for a share of it; pages of
 * fewer than LOOKUP_JOB_MIN names per job are not split further.
 */
const LOOKUP_JOBS = Math.max(1, availableParallelism());
const LOOKUP_JOB_MIN = 64;

/** A READDIRPLUS page's names to look up, with the entries they are for. */
interface PlusPage {
  listing: Listing;
  toFind: native.NameToFind[];
  /** Where each name's held handle and attributes are kept: its index in the listing, or -1 for "..". */
  slots: number[];
  targets: DirEntry[];
  /** EntryAttrs' stamp and event mark, and the time, before the lookups were issued. */
  stamp: number | undefined;
  since: number;
  readAt: number;
}

const EXT4_SUPER_MAGIC = 0xef53n;
const TMPFS_MAGIC = 0x01021994n;
const XFS_SUPER_MAGIC = 0x58465342n;
const BTRFS_SUPER_MAGIC = 0x9123683en;
const MSDOS_SUPER_MAGIC = 0x4d44n;
const EXFAT_SUPER_MAGIC = 0x2011bab0n;
const F2FS_SUPER_MAGIC = 0xf2f52010n;
/** The kernel's own NTFS driver (ntfs3), not FUSE's ntfs-3g. */
const NTFS3_SUPER_MAGIC = 0x5346544en;
/** Filesystems every change to which is made by this kernel (no other host, no user-space daemon). */
const DISK_FILESYSTEMS = new Set([
  EXT4_SUPER_MAGIC,
  XFS_SUPER_MAGIC,
  BTRFS_SUPER_MAGIC,
  TMPFS_MAGIC,
  MSDOS_SUPER_MAGIC,
  EXFAT_SUPER_MAGIC,
  F2FS_SUPER_MAGIC,
  NTFS3_SUPER_MAGIC,
]);

const LINK_MAX: ReadonlyMap<bigint, number> = new Map([
  [EXT4_SUPER_MAGIC, 65000],
  [BTRFS_SUPER_MAGIC, 65535],
  [XFS_SUPER_MAGIC, 2147483647],
  [TMPFS_MAGIC, 2147483647],
]);

/** ext4's limit with 4 KiB blocks; other Linux filesystems allow what an off_t can say. */
function maxFileSize(fsType: bigint): bigint {
  return fsType === EXT4_SUPER_MAGIC ? 16n * 1024n ** 4n - 1n : 2n ** 63n - 1n;
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.fsid[0] === b.fsid[0] && a.fsid[1] === b.fsid[1] && a.fsType === b.fsType && a.rootHandle.equals(b.rootHandle);
}

/** Offsets are bigints on the wire; the addon takes doubles, exact up to 2^53 (8 PiB). */
function offsetOf(offset: bigint, length: number): number {
  if (offset + BigInt(length) > BigInt(Number.MAX_SAFE_INTEGER)) throw new NfsError(NfsStat3.FBIG);
  return Number(offset);
}

function timeArg(t: SetTime | undefined): NfsTime3 | 'now' | undefined {
  if (!t) return undefined;
  return t.how === TimeHow.SET_TO_SERVER_TIME ? 'now' : t.time;
}

function setattrSpec(a: Sattr3, fields: { mode?: boolean; owner?: boolean; size?: boolean; times?: boolean }): SetattrSpec {
  const s: SetattrSpec = {};
  if (fields.mode && a.mode !== undefined) s.mode = a.mode;
  if (fields.owner && a.uid !== undefined) s.uid = a.uid;
  if (fields.owner && a.gid !== undefined) s.gid = a.gid;
  if (fields.size && a.size !== undefined) s.size = offsetOf(a.size, 0);
  if (fields.times && a.atime) s.atime = timeArg(a.atime);
  if (fields.times && a.mtime) s.mtime = timeArg(a.mtime);
  return s;
}

/** Every entry with the same shape, handle and attributes included, so code reading entries stays monomorphic. */
function dirEntry(cookie: bigint, fileid: bigint, name: Buffer): DirEntry {
  return { cookie, fileid, name, handle: undefined, attrs: undefined };
}

function isEmpty(s: SetattrSpec): boolean {
  return Object.keys(s).length === 0;
}

export class LocalBackend implements Backend {
  private readonly descriptors: Descriptors;
  private readonly log: Logger;
  private readonly entryAttrs: EntryAttrs;
  private readonly listings: ListingCache;
  /** fattr3.fsid: stable across restarts and remounts, distinct for two exports of one filesystem. */
  private readonly fsid: FsidWords;
  private absentSince: number | undefined;
  private closed = false;
  /** This kernel makes every change to the filesystem (a disk, not a network or FUSE one): its watches see them all. */
  private readonly watchesSeeAll: boolean;

  constructor(
    readonly path: string,
    private readonly identity: Identity,
    options: LocalBackendOptions,
  ) {
    this.log = options.log ?? silentLogger;
    this.entryAttrs = new EntryAttrs(this.log);
    this.watchesSeeAll = DISK_FILESYSTEMS.has(identity.fsType);
    this.listings = new ListingCache({
      maxEntries: 200_000,
      maxAgeMs: 30_000,
      onDrop: (listing) => this.entryAttrs.untrack(listing),
      watchesSeeAll: this.watchesSeeAll,
    });
    const h = createHash('sha256')
      .update(`${identity.fsid[0]}:${identity.fsid[1]}:${identity.fsType}:`)
      .update(identity.rootHandle)
      .digest();
    this.fsid = fsidWords(h.readBigUInt64BE(0));
    this.descriptors = new Descriptors({
      idleMs: options.idleMs ?? 2000,
      maxFds: options.maxCachedFds ?? 1024,
      openMount: () => this.openMount(),
      log: this.log,
    });
  }

  /** Opens the export root for open_by_handle_at, refusing anything but the filesystem this export was made on. */
  private async openMount(): Promise<number> {
    let info: native.RootInfo;
    try {
      info = await native.openRoot(this.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ESTALE' && code !== 'EIO') throw err;
      this.markAbsent(`cannot open ${this.path}: ${code}`);
      throw new NfsError(NfsStat3.STALE, `export storage at ${this.path} is not present`);
    }
    if (!sameIdentity({ fsid: info.fsid, fsType: info.fsType, rootHandle: info.handle }, this.identity)) {
      await native.close(info.fd);
      this.markAbsent(`${this.path} is now another filesystem (fsid ${info.fsid.join(':')}, type 0x${info.fsType.toString(16)})`);
      throw new NfsError(NfsStat3.STALE, `export storage at ${this.path} is not mounted`);
    }
    if (this.absentSince !== undefined) this.log.info('local backend: export storage is back', { path: this.path });
    this.absentSince = undefined;
    return info.fd;
  }

  private markAbsent(why: string): void {
    if (this.absentSince === undefined) this.log.warn('local backend: export storage absent', { path: this.path, why });
    this.absentSince ??= Date.now();
  }

  /** Whether the export's own filesystem is at its path now (false after an unplug, until it is mounted again). */
  async present(): Promise<boolean> {
    try {
      await this.withMount(async () => undefined);
      return true;
    } catch (err) {
      if (statusOf(err) === NfsStat3.STALE && !this.closed) return false;
      throw err;
    }
  }

  private withMount<T>(fn: (mountFd: number) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new NfsError(NfsStat3.STALE, 'backend closed'));
    return this.descriptors.withMount(fn);
  }

  private withFile<T>(fh: Buffer, write: boolean, fn: (fd: number, lease: FileLease) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new NfsError(NfsStat3.STALE, 'backend closed'));
    return this.descriptors.withFile(fh, write, fn);
  }

  private attrs(s: RawStat): PackedFattr {
    return toFattr(s, this.fsid);
  }

  private wcc(before: RawStat, after: RawStat): WccData {
    return toWcc(before, after, this.fsid);
  }

  async root(_ctx: OpContext): Promise<FileHandle> {
    return Buffer.from(this.identity.rootHandle);
  }

  async getattr(fh: FileHandle, ctx: OpContext): Promise<Fattr3> {
    if (!this.watchesSeeAll || this.closed) return this.attrs(await this.withMount((m) => native.getattr(m, fh)));
    return this.entryAttrs.getattr(fh, ctx.receivedAt, async (watchFd) => {
      const r = await this.withMount((m) => native.watchedGetattr(m, fh, watchFd));
      return { attrs: this.attrs(r.stat), wd: r.wd };
    });
  }

  async setattr(fh: FileHandle, attrs: Sattr3, guardCtime: NfsTime3 | undefined, ctx: OpContext): Promise<WccData> {
    return changes.around(async () => {
      const spec = setattrSpec(attrs, { mode: true, owner: true, size: true, times: true });
      if (guardCtime) spec.guardCtime = guardCtime;
      const r = await this.withMount((m) => native.setattr(ctx.cred, m, fh, spec));
      return this.wcc(r.before, r.after);
    });
  }

  async lookup(dir: FileHandle, name: Buffer, ctx: OpContext): Promise<LookupResult> {
    // ".." of the export root is the root: never leave the export, even when it is a subtree of its filesystem.
    const asked = name.equals(DOTDOT) && dir.equals(this.identity.rootHandle) ? DOT : name;
    const look = async (watchFd: number): Promise<Looked> => {
      const r = await this.withMount((m) => native.lookup(ctx.cred, m, dir, asked, watchFd));
      // Another filesystem mounted inside the export: its handles would not resolve through our root.
      if (r.stat.mntId !== r.dir.mntId) throw new NfsError(NfsStat3.ACCES, 'mount point inside the export');
      return { handle: r.handle, attrs: this.attrs(r.stat), dirAttrs: this.attrs(r.dir), dirWd: r.dirWd, wd: r.wd };
    };
    // "." and ".." name the directory itself or one its watch says nothing about.
    if (!this.watchesSeeAll || this.closed || asked.equals(DOT) || asked.equals(DOTDOT)) return look(-1);
    const { uid, gid, gids } = ctx.cred;
    return this.entryAttrs.lookup(dir, asked, `${uid}:${gid}:${gids.join(',')}`, ctx.receivedAt, look);
  }

  /** As knfsd's nfs3_regaccess/nfs3_diraccess tables, with the kernel deciding each r/w/x for the caller. */
  async access(fh: FileHandle, mask: number, ctx: OpContext): Promise<{ granted: number; attrs?: Fattr3 }> {
    const { granted: rwx, stat } = await this.withMount((m) => native.access(ctx.cred, m, fh));
    const r = (rwx & 4) !== 0;
    const w = (rwx & 2) !== 0;
    const x = (rwx & 1) !== 0;
    let can = 0;
    if (ftypeOf(stat) === Ftype3.DIR) {
      if (r) can |= ACCESS3_READ;
      if (x) can |= ACCESS3_LOOKUP;
      if (w && x) can |= ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE;
    } else {
      if (r) can |= ACCESS3_READ;
      if (w) can |= ACCESS3_MODIFY | ACCESS3_EXTEND;
      if (x) can |= ACCESS3_EXECUTE;
    }
    return { granted: can & mask, attrs: this.attrs(stat) };
  }

  async readlink(fh: FileHandle, _ctx: OpContext): Promise<{ target: Buffer; attrs?: Fattr3 }> {
    const r = await this.withMount((m) => native.readlink(m, fh));
    return { target: r.target, attrs: this.attrs(r.stat) };
  }

  async read(fh: FileHandle, offset: bigint, count: number, ctx: OpContext): Promise<ReadResult> {
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { data: Buffer.alloc(0), eof: true, attrs: await this.getattr(fh, ctx) };
    }
    const want = Math.max(0, Math.min(count, MAX_IO));
    const at = Number(offset);
    // Given back by the transport once the reply is written (see lent-buffers.ts).
    const buf = borrow(want);
    const r = await this.withFile(fh, false, (fd) => native.pread(ctx.cred, fd, at, buf, this.descriptors.batchKey));
    return {
      data: buf.subarray(0, r.bytes),
      eof: r.bytes < want || BigInt(at + r.bytes) >= r.stat.size,
      attrs: this.attrs(r.stat),
    };
  }

  async write(fh: FileHandle, offset: bigint, data: Buffer, stable: StableHow, ctx: OpContext): Promise<WriteResult> {
    return changes.around(async () => {
      const failure = this.descriptors.takeFailure(fh);
      if (failure !== undefined) throw failure;
      const at = offsetOf(offset, data.length);
      const how = stable === StableHow.UNSTABLE ? 0 : stable === StableHow.DATA_SYNC ? 1 : 2;
      return this.withFile(fh, true, async (fd, lease) => {
        const pending = lease.uncommitted;
        const r = await native.pwrite(ctx.cred, fd, at, data, how, this.descriptors.batchKey);
        // A synced write also made durable everything written before it.
        if (how === 0) lease.uncommitted += r.bytes;
        else lease.uncommitted = Math.max(0, lease.uncommitted - pending);
        return {
          count: r.bytes,
          committed: stable,
          verifier: Buffer.from(this.descriptors.verifier),
          wcc: this.wcc(r.before, r.after),
        };
      });
    });
  }

  async commit(fh: FileHandle, _offset: bigint, _count: number, _ctx: OpContext): Promise<CommitResult> {
    return changes.around(async () => {
      const failure = this.descriptors.takeFailure(fh);
      if (failure !== undefined) throw failure;
      return this.withFile(fh, false, async (fd, lease) => {
        const pending = lease.uncommitted;
        let r: { before: RawStat; after: RawStat };
        try {
          r = await native.fsync(lease.wfd >= 0 ? lease.wfd : fd);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESTALE') {
            this.descriptors.syncFailed(lease, err);
            this.descriptors.takeFailure(fh); // reported right here
          }
          throw err;
        }
        lease.uncommitted = Math.max(0, lease.uncommitted - pending);
        return { verifier: Buffer.from(this.descriptors.verifier), wcc: this.wcc(r.before, r.after) };
      });
    });
  }

  /** Creates as the caller, then applies the attributes creation could not (owner, size, times). */
  private async make(dir: FileHandle, name: Buffer, spec: native.CreateSpec, attrs: Sattr3 | undefined, ctx: OpContext): Promise<CreatedResult> {
    return changes.around(async () => {
      const c: Created = await this.withMount((m) => native.create(ctx.cred, m, dir, name, spec, spec.type === Ftype3.REG));
      if (c.fd !== undefined) {
        const fd = c.fd;
        if (this.closed) void native.close(fd).catch((err: unknown) => this.log.warn('local backend: close failed', { fd, err }));
        else this.descriptors.adopt(c.handle, c.fd);
      }
      this.listings.invalidate(dir);
      let stat = c.stat;
      // As knfsd: only root gives a new object away; others' requested ids are dropped (the kernel made it theirs).
      const owner = !c.existed && ctx.cred.uid === 0;
      const rest = attrs ? setattrSpec(attrs, c.existed ? { size: true } : { owner, size: true, times: true }) : {};
      if (!isEmpty(rest)) stat = (await this.withMount((m) => native.setattr(ctx.cred, m, c.handle, rest))).after;
      return { handle: c.handle, attrs: this.attrs(stat), dirWcc: this.wcc(c.dirBefore, c.dirAfter) };
    });
  }

  async create(dir: FileHandle, name: Buffer, how: CreateHow, ctx: OpContext): Promise<CreatedResult> {
    if (how.mode === CreateMode.EXCLUSIVE) {
      if (how.verifier.length !== 8) throw new NfsError(NfsStat3.INVAL);
      // Stored where knfsd stores it; the high bits are cleared for filesystems without 64-bit times.
      const verifierTimes = { mtime: how.verifier.readUInt32BE(0) & 0x7fffffff, atime: how.verifier.readUInt32BE(4) & 0x7fffffff };
      return this.make(dir, name, { type: Ftype3.REG, mode: 0, how: 2, verifierTimes }, undefined, ctx);
    }
    const mode = how.attrs.mode ?? 0;
    return this.make(dir, name, { type: Ftype3.REG, mode, how: how.mode === CreateMode.GUARDED ? 1 : 0 }, how.attrs, ctx);
  }

  async mkdir(dir: FileHandle, name: Buffer, attrs: Sattr3, ctx: OpContext): Promise<CreatedResult> {
    return this.make(dir, name, { type: Ftype3.DIR, mode: attrs.mode ?? 0 }, attrs, ctx);
  }

  async symlink(dir: FileHandle, name: Buffer, target: Buffer, attrs: Sattr3, ctx: OpContext): Promise<CreatedResult> {
    if (target.length === 0 || target.includes(0)) throw new NfsError(NfsStat3.INVAL);
    return this.make(dir, name, { type: Ftype3.LNK, mode: 0o777, target }, attrs, ctx);
  }

  async mknod(
    dir: FileHandle,
    name: Buffer,
    type: Ftype3,
    attrs: Sattr3,
    device: SpecData3 | undefined,
    ctx: OpContext,
  ): Promise<CreatedResult> {
    if (type !== Ftype3.CHR && type !== Ftype3.BLK && type !== Ftype3.SOCK && type !== Ftype3.FIFO) {
      throw new NfsError(NfsStat3.BADTYPE);
    }
    const isDevice = type === Ftype3.CHR || type === Ftype3.BLK;
    if (isDevice && !device) throw new NfsError(NfsStat3.INVAL);
    const spec: native.CreateSpec = { type, mode: attrs.mode ?? 0 };
    if (isDevice) spec.device = device;
    return this.make(dir, name, spec, attrs, ctx);
  }

  private async unlink(dir: FileHandle, name: Buffer, isDir: boolean, ctx: OpContext): Promise<WccData> {
    return changes.around(async () => {
      const r = await this.withMount((m) => native.remove(ctx.cred, m, dir, name, isDir));
      this.listings.invalidate(dir);
      // Close our descriptors of the removed file before replying, so its handle is STALE from now on.
      if (r.victim) await this.descriptors.forget(r.victim);
      return this.wcc(r.dir.before, r.dir.after);
    });
  }

  remove(dir: FileHandle, name: Buffer, ctx: OpContext): Promise<WccData> {
    return this.unlink(dir, name, false, ctx);
  }

  rmdir(dir: FileHandle, name: Buffer, ctx: OpContext): Promise<WccData> {
    return this.unlink(dir, name, true, ctx);
  }

  async rename(
    fromDir: FileHandle,
    fromName: Buffer,
    toDir: FileHandle,
    toName: Buffer,
    ctx: OpContext,
  ): Promise<{ fromDirWcc: WccData; toDirWcc: WccData }> {
    return changes.around(async () => {
      const r = await this.withMount((m) => native.rename(ctx.cred, m, fromDir, fromName, toDir, toName));
      this.listings.invalidate(fromDir);
      this.listings.invalidate(toDir);
      if (r.victim) await this.descriptors.forget(r.victim);
      return { fromDirWcc: this.wcc(r.from.before, r.from.after), toDirWcc: this.wcc(r.to.before, r.to.after) };
    });
  }

  async link(fh: FileHandle, dir: FileHandle, name: Buffer, ctx: OpContext): Promise<{ attrs?: Fattr3; dirWcc: WccData }> {
    return changes.around(async () => {
      const r = await this.withMount((m) => native.link(ctx.cred, m, fh, dir, name));
      this.listings.invalidate(dir);
      return { attrs: this.attrs(r.stat), dirWcc: this.wcc(r.dir.before, r.dir.after) };
    });
  }

  async readdir(dir: FileHandle, req: ReaddirRequest, ctx: OpContext): Promise<DirPage> {
    return this.withMount(async (m) => {
      const { granted, stat } = await native.access(ctx.cred, m, dir);
      if (ftypeOf(stat) !== Ftype3.DIR) throw new NfsError(NfsStat3.NOTDIR);
      if ((granted & 4) === 0) throw new NfsError(NfsStat3.ACCES);
      // Events first: a listing whose directory changed meanwhile is read again.
      this.entryAttrs.sync();
      const listing = await this.listings.get(dir, stat, () => this.entryAttrs.list(dir, (fd) => native.listdir(ctx.cred, m, dir, fd)));
      const entries: DirEntry[] = [];
      let max = Math.max(1, Math.min(req.maxEntries, MAX_PAGE));
      const admits = (name: Buffer): boolean => {
        if (!req.admit || req.admit(name) || entries.length === 0) return true;
        max = entries.length;
        return false;
      };
      const atRoot = dir.equals(this.identity.rootHandle);
      if (req.cookie < 1n && admits(DOT)) entries.push(dirEntry(1n, stat.ino, DOT));
      if (req.cookie < 2n && entries.length < max && admits(DOTDOT)) {
        entries.push(dirEntry(2n, atRoot ? stat.ino : listing.dotdotIno, DOTDOT));
      }
      const dots = entries.length;
      const start = firstAfter(listing.cookies, req.cookie);
      let end = start;
      while (end < listing.count && entries.length < max) {
        const name = listing.name(end);
        if (!admits(name)) break;
        entries.push(dirEntry(listing.cookies[end]!, listing.inos[end]!, name));
        end++;
      }
      const dirAttrs = this.attrs(stat);
      if (req.withAttrs) {
        const reuse = this.entryAttrs;
        reuse.sync(); // again: events may have come while the listing was read
        const page: PlusPage = {
          listing,
          toFind: [],
          slots: [],
          targets: [],
          stamp: reuse.stamp(),
          since: reuse.mark(),
          readAt: performance.now(),
        };
        // "." and, at the export root, ".." are the directory itself; another ".." is looked up like a name.
        for (let i = 0; i < dots; i++) {
          const e = entries[i]!;
          if (e.cookie === 1n || atRoot) {
            e.handle = Buffer.from(dir);
            e.attrs = dirAttrs;
          } else {
            page.toFind.push({ name: e.name, ino: e.fileid });
            page.slots.push(-1);
            page.targets.push(e);
          }
        }
        for (let i = start; i < end; i++) {
          const e = entries[dots + i - start]!;
          const held = listing.held[i];
          const attrs = held && reuse.get(listing, i, page.readAt);
          if (attrs) {
            e.handle = held.handle;
            e.attrs = attrs;
            continue;
          }
          page.toFind.push({ name: e.name, ino: listing.inos[i]!, held });
          page.slots.push(i);
          page.targets.push(e);
        }
        await this.addAttrs(m, dir, page, ctx);
      }
      const verifier = Buffer.alloc(8);
      verifier.writeUInt32BE(stat.mtime.seconds, 0);
      verifier.writeUInt32BE(stat.mtime.nseconds, 4);
      return { entries, eof: end >= listing.count, verifier, dirAttrs };
    });
  }

  /**
   * READDIRPLUS: handles and attributes of listed names, in LOOKUP_JOBS
   * parallel jobs; an entry that cannot be looked up just goes without.
   * Handles are kept with the listing (which lives only while the directory
   * is unchanged), so listing again costs one statx per name: attributes are
   * always read afresh.
   */
  private async addAttrs(m: number, dir: FileHandle, page: PlusPage, ctx: OpContext): Promise<void> {
    const n = page.toFind.length;
    const jobs = Math.max(1, Math.min(LOOKUP_JOBS, Math.floor(n / LOOKUP_JOB_MIN)));
    const per = Math.ceil(n / jobs);
    const work: Promise<void>[] = [];
    for (let from = 0; from < n; from += per) work.push(this.lookupPart(m, dir, page, from, Math.min(n, from + per), ctx));
    await Promise.all(work);
  }

  private async lookupPart(m: number, dir: FileHandle, page: PlusPage, from: number, to: number, ctx: OpContext): Promise<void> {
    const names = page.toFind.slice(from, to);
    const found = await native.lookupMany(ctx.cred, m, this.fsid, dir, names);
    for (let k = 0; k < found.length; k++) {
      const f = found[k]!;
      if (typeof f === 'number') continue;
      const slot = page.slots[from + k]!;
      if (f.handle && slot >= 0) {
        page.listing.held[slot] = f.keep;
      }
      // The held handle as sent: another call may have replaced the listing's meanwhile.
      const handle = f.handle ?? names[k]!.held?.handle;
      if (!handle) continue;
      const e = page.targets[from + k]!;
      e.handle = handle;
      e.attrs = f.attrs;
      if (f.inoDiffers) e.fileid = f.attrs.fileid;
      else if (slot >= 0 && page.listing.held[slot]) this.entryAttrs.put(page.listing, slot, f.attrs, page.stamp, page.since, page.readAt);
    }
  }

  async fsstat(fh: FileHandle, _ctx: OpContext): Promise<FsStat> {
    const s = await this.withMount((m) => native.statfs(m, fh));
    const unit = s.frsize || s.bsize;
    return {
      totalBytes: s.blocks * unit,
      freeBytes: s.bfree * unit,
      availBytes: s.bavail * unit,
      totalFiles: s.files,
      freeFiles: s.ffree,
      availFiles: s.ffree,
      invarsec: 0,
      attrs: this.attrs(s.stat),
    };
  }

  async fsinfo(fh: FileHandle, ctx: OpContext): Promise<FsInfo> {
    return {
      maxFileSize: maxFileSize(this.identity.fsType),
      timeDelta: { seconds: 0, nseconds: 1 },
      properties: FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME,
      attrs: await this.getattr(fh, ctx),
    };
  }

  async pathconf(fh: FileHandle, _ctx: OpContext): Promise<PathConf> {
    const s = await this.withMount((m) => native.statfs(m, fh));
    return {
      linkMax: LINK_MAX.get(s.fsType) ?? 32000,
      nameMax: Number(s.namelen),
      noTrunc: true,
      chownRestricted: true,
      caseInsensitive: false,
      casePreserving: true,
      attrs: this.attrs(s.stat),
    };
  }

  flush(): Promise<void> {
    return this.descriptors.flush();
  }

  async release(): Promise<void> {
    // Watches first: closing the inotify descriptor drops them all, so the listings need not remove theirs one by one.
    const watches = this.entryAttrs.release();
    this.listings.clear();
    await Promise.all([watches, this.descriptors.release()]);
  }

  holds(): HoldReport {
    return this.descriptors.holds();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.release();
  }
}

function describeOpenError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EOVERFLOW'
      ? `its filesystem's file handles are longer than the 43 bytes an NFSv3 handle leaves room for`
      : code === 'EOPNOTSUPP' || code === 'ENOTSUP'
        ? 'its filesystem does not support file handles (name_to_handle_at)'
        : (err as Error).message;
  return new Error(`cannot export ${path}: ${why}`);
}

/** Opens an export of `options.path`; fails with a clear message when it cannot work (not root, unsuitable filesystem). */
export async function createLocalBackend(options: LocalBackendOptions): Promise<LocalBackend> {
  const path = resolvePath(options.path);
  let info: native.RootInfo;
  try {
    info = await native.openRoot(path);
  } catch (err) {
    throw describeOpenError(path, err);
  }
  try {
    // Prove now, not at the first client call, that handles resolve here.
    await native.getattr(info.fd, info.handle);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM') {
      throw new Error(`cannot export ${path}: resolving file handles needs CAP_DAC_READ_SEARCH (run the server as root)`);
    }
    throw describeOpenError(path, err);
  } finally {
    await native.close(info.fd);
  }
  return new LocalBackend(path, { fsid: info.fsid, fsType: info.fsType, rootHandle: info.handle }, options);
}
