/**
 * A filesystem held entirely in memory: for embedding a server with no
 * storage behind it, and for tests.
 *
 * Everything runs synchronously inside each async method, so every operation
 * is atomic with respect to the others without locks.
 */
import { randomBytes } from 'node:crypto';
import { totalmem } from 'node:os';
import type {
  Backend,
  CommitResult,
  CreatedResult,
  CreateHow,
  Credentials,
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
import { NfsError } from '../errors.js';
import {
  CreateMode,
  FSF3_CANSETTIME,
  FSF3_HOMOGENEOUS,
  FSF3_LINK,
  FSF3_SYMLINK,
  Ftype3,
  NfsStat3,
  StableHow,
} from '../../proto/nfs3/constants.js';
import type { Fattr3, FileHandle, NfsTime3, Sattr3, SpecData3, WccData } from '../../proto/nfs3/types.js';
import { checkAttrs, dropSetIdBits, fileOffset, hasAttrs, MAX_FILE_SIZE, setAttrs } from './attributes.js';
import { fromNfsTime, nowNs } from './clock.js';
import { DOT_COOKIE, DOTDOT_COOKIE } from './directory.js';
import {
  attrsOf,
  DirInode,
  FileInode,
  LinkInode,
  PERMISSION_BITS,
  S_ISGID,
  S_IXGRP,
  SpecialInode,
  wccAttrOf,
  type Inode,
  type SpecialType,
} from './nodes.js';
import {
  grantedAccess,
  inGroup,
  isRoot,
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  requireDirChange,
  requireDataAccess,
  requirePermission,
  requireStickyOwner,
} from './permissions.js';

export interface MemoryBackendOptions {
  /** Cap on the bytes of file data held; a write that would exceed it fails NOSPC. Unlimited by default. */
  maxBytes?: number;
  /** Cap on the number of objects (the root included); creating more fails NOSPC. Unlimited by default. */
  maxFiles?: number;
  /** Permission bits of the root directory (default 0755). */
  rootMode?: number;
  rootUid?: number;
  rootGid?: number;
  /** Reported in fattr3.fsid (default 0). */
  fsid?: bigint;
}

const HANDLE_BYTES = 12;
const NAME_MAX = 255;
const LINK_MAX = 65_000;
const DEFAULT_FILE_MODE = 0o644;
const DEFAULT_DIR_MODE = 0o755;
const ROOT_FILEID = 1n;
/** Reads may be short; this keeps a huge count on a sparse file from allocating without bound. */
const MAX_READ = 64 * 1024 * 1024;

function isDot(name: Buffer): boolean {
  return name.length === 1 && name[0] === 0x2e;
}

function isDotDot(name: Buffer): boolean {
  return name.length === 2 && name[0] === 0x2e && name[1] === 0x2e;
}

function checkNameLength(name: Buffer): void {
  if (name.length > NAME_MAX) throw new NfsError(NfsStat3.NAMETOOLONG);
}

/** A name for a new entry; "." and ".." always exist. */
function checkNewName(name: Buffer): void {
  checkNameLength(name);
  if (name.length === 0) throw new NfsError(NfsStat3.NOENT);
  if (isDot(name) || isDotDot(name)) throw new NfsError(NfsStat3.EXIST);
}

function sameTime(a: NfsTime3, ns: bigint): boolean {
  return fromNfsTime(a) === ns;
}


export class MemoryBackend implements Backend {
  private readonly nodes = new Map<bigint, Inode>();
  private nextFileid = ROOT_FILEID;
  /** Changes with every instance, so handles from an earlier instance are STALE rather than reaching a new object. */
  private readonly generation = randomBytes(4).readUInt32BE(0);
  /** Nothing here ever becomes more durable than it is, so one verifier serves the instance's whole life. */
  private readonly writeVerifier = randomBytes(8);
  private readonly cookieVerifier = randomBytes(8);
  private readonly fsid: bigint;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private dataBytes = 0;
  private readonly rootDir: DirInode;

  constructor(options: MemoryBackendOptions = {}) {
    this.fsid = options.fsid ?? 0n;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.maxFiles = options.maxFiles ?? Infinity;
    this.rootDir = new DirInode(
      this.nextFileid++,
      (options.rootMode ?? DEFAULT_DIR_MODE) & PERMISSION_BITS,
      options.rootUid ?? 0,
      options.rootGid ?? 0,
      nowNs(),
    );
    this.nodes.set(this.rootDir.fileid, this.rootDir);
  }

  async root(_ctx?: OpContext): Promise<FileHandle> {
    if (!this.nodes.has(this.rootDir.fileid)) throw new NfsError(NfsStat3.STALE, 'backend closed');
    return this.handleOf(this.rootDir);
  }

  async getattr(fh: FileHandle, _ctx?: OpContext): Promise<Fattr3> {
    return this.attrs(this.node(fh));
  }

  async setattr(fh: FileHandle, attrs: Sattr3, guardCtime: NfsTime3 | undefined, ctx: OpContext): Promise<WccData> {
    const node = this.node(fh);
    if (guardCtime && !sameTime(guardCtime, node.ctime)) throw new NfsError(NfsStat3.NOT_SYNC);
    const before = wccAttrOf(node);
    this.applyAttrs(node, attrs, ctx.cred);
    return { before, after: this.attrs(node) };
  }

  async lookup(dirFh: FileHandle, name: Buffer, ctx: OpContext): Promise<LookupResult> {
    const dir = this.dir(dirFh);
    checkNameLength(name);
    requirePermission(dir, ctx.cred, MAY_EXEC);
    const node = isDot(name) ? dir : isDotDot(name) ? dir.parent : dir.entries.get(name)?.node;
    if (!node) throw new NfsError(NfsStat3.NOENT);
    return { handle: this.handleOf(node), attrs: this.attrs(node), dirAttrs: this.attrs(dir) };
  }

  async access(fh: FileHandle, mask: number, ctx: OpContext): Promise<{ granted: number; attrs?: Fattr3 }> {
    const node = this.node(fh);
    return { granted: grantedAccess(node, ctx.cred, mask), attrs: this.attrs(node) };
  }

  async readlink(fh: FileHandle, _ctx?: OpContext): Promise<{ target: Buffer; attrs?: Fattr3 }> {
    const node = this.node(fh);
    if (!(node instanceof LinkInode)) throw new NfsError(NfsStat3.INVAL);
    return { target: Buffer.from(node.target), attrs: this.attrs(node) };
  }

  async read(fh: FileHandle, offset: bigint, count: number, ctx: OpContext): Promise<ReadResult> {
    const file = this.file(fh);
    requireDataAccess(file, ctx.cred, MAY_READ);
    const size = file.data.size;
    const data = offset >= BigInt(size) ? Buffer.alloc(0) : file.data.read(Number(offset), Math.min(count, MAX_READ));
    return { data, eof: offset + BigInt(data.length) >= BigInt(size), attrs: this.attrs(file) };
  }

  async write(fh: FileHandle, offset: bigint, data: Buffer, _stable: StableHow, ctx: OpContext): Promise<WriteResult> {
    const file = this.file(fh);
    requireDataAccess(file, ctx.cred, MAY_WRITE);
    const at = fileOffset(offset, data.length);
    const before = wccAttrOf(file);
    if (data.length > 0) {
      this.reserveBytes(file.data.growthFor(at, data.length));
      const allocated = file.data.allocated;
      file.data.write(at, data);
      this.dataBytes += file.data.allocated - allocated;
      file.modified(nowNs());
      if (!isRoot(ctx.cred)) dropSetIdBits(file);
    }
    // Memory is this backend's stable storage: COMMIT could add nothing, so FILE_SYNC is the truth.
    return {
      count: data.length,
      committed: StableHow.FILE_SYNC,
      verifier: Buffer.from(this.writeVerifier),
      wcc: { before, after: this.attrs(file) },
    };
  }

  async create(dirFh: FileHandle, name: Buffer, how: CreateHow, ctx: OpContext): Promise<CreatedResult> {
    const dir = this.dir(dirFh);
    checkNewName(name);
    requirePermission(dir, ctx.cred, MAY_EXEC);
    const existing = dir.entries.get(name)?.node;
    if (existing) return this.createExisting(dir, existing, how, ctx.cred);
    const attrs = how.mode === CreateMode.EXCLUSIVE ? {} : how.attrs;
    return this.addEntry(dir, name, ctx.cred, attrs, (fileid, owner, now) => {
      const file = new FileInode(fileid, attrs.mode ?? DEFAULT_FILE_MODE, owner.uid, owner.gid, now);
      if (how.mode === CreateMode.EXCLUSIVE) file.createVerifier = Buffer.from(how.verifier);
      return file;
    });
  }

  async mkdir(dirFh: FileHandle, name: Buffer, attrs: Sattr3, ctx: OpContext): Promise<CreatedResult> {
    const dir = this.dir(dirFh);
    checkNewName(name);
    requirePermission(dir, ctx.cred, MAY_EXEC);
    if (dir.entries.get(name)) throw new NfsError(NfsStat3.EXIST);
    return this.addEntry(dir, name, ctx.cred, attrs, (fileid, owner, now) => {
      const sub = new DirInode(fileid, attrs.mode ?? DEFAULT_DIR_MODE, owner.uid, owner.gid, now);
      sub.parent = dir;
      return sub;
    });
  }

  async symlink(dirFh: FileHandle, name: Buffer, target: Buffer, attrs: Sattr3, ctx: OpContext): Promise<CreatedResult> {
    const dir = this.dir(dirFh);
    checkNewName(name);
    requirePermission(dir, ctx.cred, MAY_EXEC);
    if (dir.entries.get(name)) throw new NfsError(NfsStat3.EXIST);
    const { mode: _ignored, size: _none, ...rest } = attrs;
    return this.addEntry(dir, name, ctx.cred, rest, (fileid, owner, now) => {
      return new LinkInode(fileid, owner.uid, owner.gid, now, Buffer.from(target));
    });
  }

  async mknod(
    dirFh: FileHandle,
    name: Buffer,
    type: Ftype3,
    attrs: Sattr3,
    device: SpecData3 | undefined,
    ctx: OpContext,
  ): Promise<CreatedResult> {
    if (type !== Ftype3.FIFO && type !== Ftype3.SOCK && type !== Ftype3.CHR && type !== Ftype3.BLK) {
      throw new NfsError(NfsStat3.BADTYPE);
    }
    const dir = this.dir(dirFh);
    checkNewName(name);
    requirePermission(dir, ctx.cred, MAY_EXEC);
    if (dir.entries.get(name)) throw new NfsError(NfsStat3.EXIST);
    const isDevice = type === Ftype3.CHR || type === Ftype3.BLK;
    // Device nodes grant access to hardware; like mknod(2) they need privilege.
    if (isDevice && !isRoot(ctx.cred)) throw new NfsError(NfsStat3.PERM);
    const rdev = isDevice && device ? device : { major: 0, minor: 0 };
    return this.addEntry(dir, name, ctx.cred, attrs, (fileid, owner, now) => {
      return new SpecialInode(fileid, attrs.mode ?? DEFAULT_FILE_MODE, owner.uid, owner.gid, now, type as SpecialType, rdev);
    });
  }

  async remove(dirFh: FileHandle, name: Buffer, ctx: OpContext): Promise<WccData> {
    return this.removeEntry(dirFh, name, ctx.cred, false);
  }

  async rmdir(dirFh: FileHandle, name: Buffer, ctx: OpContext): Promise<WccData> {
    return this.removeEntry(dirFh, name, ctx.cred, true);
  }

  async rename(
    fromDirFh: FileHandle,
    fromName: Buffer,
    toDirFh: FileHandle,
    toName: Buffer,
    ctx: OpContext,
  ): Promise<{ fromDirWcc: WccData; toDirWcc: WccData }> {
    const from = this.dir(fromDirFh);
    const to = this.dir(toDirFh);
    const cred = ctx.cred;
    checkNameLength(fromName);
    checkNameLength(toName);
    if (isDot(fromName) || isDotDot(fromName) || isDot(toName) || isDotDot(toName)) throw new NfsError(NfsStat3.INVAL);
    requirePermission(from, cred, MAY_EXEC);
    requirePermission(to, cred, MAY_EXEC);
    const node = from.entries.get(fromName)?.node;
    if (!node) throw new NfsError(NfsStat3.NOENT);
    const target = to.entries.get(toName)?.node;
    const fromBefore = wccAttrOf(from);
    const toBefore = wccAttrOf(to);
    const wcc = () => ({
      fromDirWcc: { before: fromBefore, after: this.attrs(from) },
      toDirWcc: { before: toBefore, after: this.attrs(to) },
    });
    // POSIX: renaming a name onto itself, or onto another link of the same object, does nothing.
    if (target === node) return wcc();
    requireDirChange(from, cred);
    requireDirChange(to, cred);
    requireStickyOwner(from, node, cred);
    if (target) requireStickyOwner(to, target, cred);
    if (node instanceof DirInode) {
      if (target && !(target instanceof DirInode)) throw new NfsError(NfsStat3.NOTDIR);
      if (target instanceof DirInode && target.entries.count > 0) throw new NfsError(NfsStat3.NOTEMPTY);
      for (let d: DirInode = to; ; d = d.parent) {
        if (d === node) throw new NfsError(NfsStat3.INVAL);
        if (d.parent === d) break;
      }
      // Moving a directory rewrites its "..", which needs write permission on it (as Linux requires).
      if (from !== to) requirePermission(node, cred, MAY_WRITE);
    } else if (target instanceof DirInode) {
      throw new NfsError(NfsStat3.ISDIR);
    }
    const now = nowNs();
    if (target) {
      to.entries.remove(toName);
      this.unlinked(to, target, now);
    }
    from.entries.remove(fromName);
    to.entries.add(toName, node);
    if (node instanceof DirInode && from !== to) {
      from.nlink--;
      to.nlink++;
      node.parent = to;
    }
    node.ctime = now;
    from.modified(now);
    to.modified(now);
    return wcc();
  }

  async link(fh: FileHandle, dirFh: FileHandle, name: Buffer, ctx: OpContext): Promise<{ attrs?: Fattr3; dirWcc: WccData }> {
    const node = this.node(fh);
    const dir = this.dir(dirFh);
    checkNewName(name);
    // link(2) refuses directories with EPERM: a second parent would break "..".
    if (node instanceof DirInode) throw new NfsError(NfsStat3.PERM);
    requirePermission(dir, ctx.cred, MAY_EXEC);
    if (dir.entries.get(name)) throw new NfsError(NfsStat3.EXIST);
    requireDirChange(dir, ctx.cred);
    if (node.nlink >= LINK_MAX) throw new NfsError(NfsStat3.MLINK);
    const before = wccAttrOf(dir);
    const now = nowNs();
    dir.entries.add(name, node);
    node.nlink++;
    node.ctime = now;
    dir.modified(now);
    return { attrs: this.attrs(node), dirWcc: { before, after: this.attrs(dir) } };
  }

  async readdir(dirFh: FileHandle, req: ReaddirRequest, ctx: OpContext): Promise<DirPage> {
    const dir = this.dir(dirFh);
    requirePermission(dir, ctx.cred, MAY_READ);
    if (req.maxEntries < 1) throw new NfsError(NfsStat3.TOOSMALL);
    // The verifier is not checked: cookies never go stale here, and strict verifiers make clients loop.
    if (req.cookie > BigInt(dir.entries.lastCookie)) throw new NfsError(NfsStat3.BAD_COOKIE);
    const cookie = Number(req.cookie);
    const entries: DirEntry[] = [];
    const push = (c: number, name: Buffer, node: Inode) => {
      const e: DirEntry = { cookie: BigInt(c), fileid: node.fileid, name };
      if (req.withAttrs) {
        e.handle = this.handleOf(node);
        e.attrs = this.attrs(node);
      }
      entries.push(e);
    };
    if (cookie < DOT_COOKIE) push(DOT_COOKIE, Buffer.from('.'), dir);
    if (cookie < DOTDOT_COOKIE && entries.length < req.maxEntries) push(DOTDOT_COOKIE, Buffer.from('..'), dir.parent);
    const rest = dir.entries.after(cookie, req.maxEntries - entries.length);
    for (const e of rest.entries) push(e.cookie, Buffer.from(e.name), e.node);
    return { entries, eof: rest.eof, verifier: Buffer.from(this.cookieVerifier), dirAttrs: this.attrs(dir) };
  }

  async fsstat(fh: FileHandle, _ctx?: OpContext): Promise<FsStat> {
    const node = this.node(fh);
    const totalBytes = Number.isFinite(this.maxBytes) ? this.maxBytes : Math.max(totalmem(), this.dataBytes);
    const freeBytes = BigInt(Math.max(0, totalBytes - this.dataBytes));
    const totalFiles = Number.isFinite(this.maxFiles) ? this.maxFiles : 2 ** 32;
    const freeFiles = BigInt(Math.max(0, totalFiles - this.nodes.size));
    return {
      totalBytes: BigInt(totalBytes),
      freeBytes,
      availBytes: freeBytes,
      totalFiles: BigInt(totalFiles),
      freeFiles,
      availFiles: freeFiles,
      invarsec: 0,
      attrs: this.attrs(node),
    };
  }

  async fsinfo(fh: FileHandle, _ctx?: OpContext): Promise<FsInfo> {
    return {
      maxFileSize: BigInt(MAX_FILE_SIZE),
      timeDelta: { seconds: 0, nseconds: 1 },
      properties: FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME,
      attrs: this.attrs(this.node(fh)),
    };
  }

  async pathconf(fh: FileHandle, _ctx?: OpContext): Promise<PathConf> {
    return {
      linkMax: LINK_MAX,
      nameMax: NAME_MAX,
      noTrunc: true,
      chownRestricted: true,
      caseInsensitive: false,
      casePreserving: true,
      attrs: this.attrs(this.node(fh)),
    };
  }

  async commit(fh: FileHandle, _offset?: bigint, _count?: number, _ctx?: OpContext): Promise<CommitResult> {
    const file = this.file(fh);
    return { verifier: Buffer.from(this.writeVerifier), wcc: { before: wccAttrOf(file), after: this.attrs(file) } };
  }

  async flush(): Promise<void> {}

  async release(): Promise<void> {}

  holds(): HoldReport {
    return { openDescriptors: 0, uncommittedBytes: 0, holders: [] };
  }

  async close(): Promise<void> {
    this.nodes.clear();
    this.dataBytes = 0;
  }

  private handleOf(node: Inode): FileHandle {
    const fh = Buffer.allocUnsafe(HANDLE_BYTES);
    fh.writeBigUInt64BE(node.fileid, 0);
    fh.writeUInt32BE(this.generation, 8);
    return fh;
  }

  private node(fh: FileHandle): Inode {
    if (fh.length !== HANDLE_BYTES) throw new NfsError(NfsStat3.BADHANDLE);
    const node = fh.readUInt32BE(8) === this.generation ? this.nodes.get(fh.readBigUInt64BE(0)) : undefined;
    if (!node) throw new NfsError(NfsStat3.STALE);
    return node;
  }

  private dir(fh: FileHandle): DirInode {
    const node = this.node(fh);
    if (!(node instanceof DirInode)) throw new NfsError(NfsStat3.NOTDIR);
    return node;
  }

  /** A regular file for data operations; directories are ISDIR and other objects INVAL, as knfsd answers. */
  private file(fh: FileHandle): FileInode {
    const node = this.node(fh);
    if (node instanceof FileInode) return node;
    throw new NfsError(node instanceof DirInode ? NfsStat3.ISDIR : NfsStat3.INVAL);
  }

  private attrs(node: Inode): Fattr3 {
    return attrsOf(node, this.fsid);
  }

  private reserveBytes(bytes: number): void {
    if (this.dataBytes + bytes > this.maxBytes) throw new NfsError(NfsStat3.NOSPC);
  }

  /** CREATE onto an existing name, as knfsd does for each mode. */
  private createExisting(dir: DirInode, node: Inode, how: CreateHow, cred: Credentials): CreatedResult {
    const ok = (): CreatedResult => ({
      handle: this.handleOf(node),
      attrs: this.attrs(node),
      dirWcc: { before: wccAttrOf(dir), after: this.attrs(dir) },
    });
    if (!(node instanceof FileInode)) throw new NfsError(NfsStat3.EXIST);
    if (how.mode === CreateMode.EXCLUSIVE) {
      if (node.createVerifier?.equals(how.verifier)) return ok();
      throw new NfsError(NfsStat3.EXIST);
    }
    if (how.mode === CreateMode.GUARDED) throw new NfsError(NfsStat3.EXIST);
    // UNCHECKED applies only the size: the client asked for an O_TRUNC open, not for new attributes.
    if (how.attrs.size !== undefined) this.applyAttrs(node, { size: how.attrs.size }, cred);
    return ok();
  }

  /**
   * Creates an object under `name` (already known to be free): checks, owner
   * and group as Linux assigns them (the group of a setgid directory), the
   * requested attributes, and the directory's bookkeeping.
   */
  private addEntry(
    dir: DirInode,
    name: Buffer,
    cred: Credentials,
    attrs: Sattr3,
    build: (fileid: bigint, owner: { uid: number; gid: number }, now: bigint) => Inode,
  ): CreatedResult {
    requireDirChange(dir, cred);
    if (this.nodes.size >= this.maxFiles) throw new NfsError(NfsStat3.NOSPC);
    const before = wccAttrOf(dir);
    const setgidDir = (dir.mode & S_ISGID) !== 0;
    const gid = setgidDir ? dir.gid : cred.gid;
    const now = nowNs();
    const node = build(this.nextFileid, { uid: cred.uid, gid }, now);
    node.mode &= PERMISSION_BITS;
    if (node instanceof DirInode) {
      if (setgidDir) node.mode |= S_ISGID;
    } else if ((node.mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP) && !isRoot(cred) && !inGroup(cred, gid)) {
      node.mode &= ~S_ISGID;
    }
    // knfsd drops a non-root caller's uid/gid so the object stays the caller's.
    const { mode: _applied, ...rest } = attrs;
    const initial: Sattr3 = isRoot(cred) ? rest : { ...rest, uid: undefined, gid: undefined };
    if (!(node instanceof FileInode)) delete initial.size;
    // Checked while the object is still unreachable, so a refusal leaves no half-made entry behind.
    const hasInitial = hasAttrs(initial);
    if (hasInitial) checkAttrs(node, initial, cred);
    this.nextFileid++;
    this.nodes.set(node.fileid, node);
    dir.entries.add(name, node);
    if (node instanceof DirInode) dir.nlink++;
    dir.modified(now);
    if (hasInitial) this.dataBytes += setAttrs(node, initial, cred, now);
    return { handle: this.handleOf(node), attrs: this.attrs(node), dirWcc: { before, after: this.attrs(dir) } };
  }

  private removeEntry(dirFh: FileHandle, name: Buffer, cred: Credentials, wantDir: boolean): WccData {
    const dir = this.dir(dirFh);
    checkNameLength(name);
    if (isDot(name)) throw new NfsError(wantDir ? NfsStat3.INVAL : NfsStat3.ISDIR);
    if (isDotDot(name)) throw new NfsError(wantDir ? NfsStat3.NOTEMPTY : NfsStat3.ISDIR);
    requirePermission(dir, cred, MAY_EXEC);
    const node = dir.entries.get(name)?.node;
    if (!node) throw new NfsError(NfsStat3.NOENT);
    requireDirChange(dir, cred);
    requireStickyOwner(dir, node, cred);
    const isDir = node instanceof DirInode;
    if (wantDir && !isDir) throw new NfsError(NfsStat3.NOTDIR);
    if (!wantDir && isDir) throw new NfsError(NfsStat3.ISDIR);
    if (node instanceof DirInode && node.entries.count > 0) throw new NfsError(NfsStat3.NOTEMPTY);
    const before = wccAttrOf(dir);
    const now = nowNs();
    dir.entries.remove(name);
    this.unlinked(dir, node, now);
    dir.modified(now);
    return { before, after: this.attrs(dir) };
  }

  /** Drops one name of `node` (already removed from `dir`); the last name frees it and its handle turns STALE. */
  private unlinked(dir: DirInode, node: Inode, now: bigint): void {
    if (node instanceof DirInode) {
      dir.nlink--;
      node.nlink = 0;
    } else {
      node.nlink--;
      node.ctime = now;
    }
    if (node.nlink > 0) return;
    this.nodes.delete(node.fileid);
    if (node instanceof FileInode) this.dataBytes -= node.data.allocated;
  }

  private applyAttrs(node: Inode, attrs: Sattr3, cred: Credentials): void {
    if (!hasAttrs(attrs)) return;
    checkAttrs(node, attrs, cred);
    this.dataBytes += setAttrs(node, attrs, cred, nowNs());
  }
}
