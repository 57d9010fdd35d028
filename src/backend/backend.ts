/**
 * The filesystem behind one export.
 *
 * The NFS layer speaks to exports only through this interface, so an
 * application can serve its own storage by implementing it (the local
 * directory backend and the in-memory backend are two implementations).
 *
 * Contract:
 * - Handles are opaque byte strings of at most MAX_BACKEND_HANDLE bytes that
 *   the backend alone interprets. They must stay valid across renames and
 *   across a restart of the server, and a handle of a deleted object must
 *   fail with NfsError(STALE), never reach another object.
 * - Names are bytes. The NFS layer has already rejected empty names, names
 *   containing '/' or NUL, and "." / ".." where the RFC forbids them; lookups
 *   of "." and ".." do reach the backend, which must keep ".." of the root on
 *   the root.
 * - Failures are thrown: NfsError for a precise status, or Node's errno
 *   errors, which statusOf() maps. Anything else becomes SERVERFAULT.
 * - Every method is asynchronous and must never block the event loop: a slow
 *   disk may stall a call, but never the process.
 * - Attributes returned are post-operation truth; `before` in WccData is the
 *   state observed just before the change (omit it rather than guess).
 * - Permission checks: the backend receives the caller's credentials in
 *   every call (after squashing), and is responsible for enforcing them.
 */
import type { CreateMode, Ftype3, StableHow } from '../proto/nfs3/constants.js';
import type { Fattr3, FileHandle, NfsTime3, Sattr3, SpecData3, WccData } from '../proto/nfs3/types.js';

/** Room left for the backend inside a 64-byte NFSv3 handle after the server's own framing. */
export const MAX_BACKEND_HANDLE = 44;

export interface Credentials {
  uid: number;
  gid: number;
  /** Supplementary groups (at most 16 from AUTH_SYS). */
  gids: readonly number[];
}

export interface OpContext {
  cred: Credentials;
  /**
   * When the server had read the request this operation answers
   * (performance.now()), if it came from a client. The client can only know
   * of changes made before it sent the request, so a backend may answer from
   * state it verified current after this moment; without it, at the call.
   */
  receivedAt?: number;
}

export type CreateHow =
  | { mode: CreateMode.UNCHECKED | CreateMode.GUARDED; attrs: Sattr3 }
  /** EXCLUSIVE: the 8-byte verifier must be stored so a retransmitted CREATE succeeds, and another verifier fails with EXIST. */
  | { mode: CreateMode.EXCLUSIVE; verifier: Buffer };

export interface LookupResult {
  handle: FileHandle;
  attrs: Fattr3;
  dirAttrs?: Fattr3;
}

export interface CreatedResult {
  handle: FileHandle;
  attrs: Fattr3;
  dirWcc: WccData;
}

export interface ReadResult {
  data: Buffer;
  eof: boolean;
  attrs?: Fattr3;
}

export interface WriteResult {
  count: number;
  committed: StableHow;
  /** The 8-byte write verifier in force when the data was accepted. */
  verifier: Buffer;
  wcc: WccData;
}

export interface CommitResult {
  verifier: Buffer;
  wcc: WccData;
}

export interface DirEntry {
  /** Opaque, nonzero, stable position: listing again from this cookie returns the entries after this one. */
  cookie: bigint;
  fileid: bigint;
  name: Buffer;
  /** Present when the listing was asked for with attributes (READDIRPLUS). */
  handle?: FileHandle;
  attrs?: Fattr3;
}

export interface DirPage {
  entries: DirEntry[];
  /** True when `entries` reaches the end of the directory. */
  eof: boolean;
  /** 8-byte cookie verifier for this listing. */
  verifier: Buffer;
  dirAttrs?: Fattr3;
}

export interface ReaddirRequest {
  cookie: bigint;
  verifier: Buffer;
  /** Upper bound on entries the caller can use; the NFS layer trims to its byte budget. */
  maxEntries: number;
  withAttrs: boolean;
  /**
   * Optional hint, called once per entry in order: the page may end before
   * the first entry it refuses (never before the page's first entry), so that
   * a backend need not fetch attributes for entries the reply cannot carry.
   * The NFS layer still trims the page to its exact budget.
   */
  admit?: (name: Buffer) => boolean;
}

export interface FsStat {
  totalBytes: bigint;
  freeBytes: bigint;
  availBytes: bigint;
  totalFiles: bigint;
  freeFiles: bigint;
  availFiles: bigint;
  /** Seconds for which this answer is not expected to change. */
  invarsec: number;
  attrs?: Fattr3;
}

export interface FsInfo {
  maxFileSize: bigint;
  timeDelta: NfsTime3;
  /** FSF3_* bits. */
  properties: number;
  attrs?: Fattr3;
}

export interface PathConf {
  linkMax: number;
  nameMax: number;
  noTrunc: boolean;
  chownRestricted: boolean;
  caseInsensitive: boolean;
  casePreserving: boolean;
  attrs?: Fattr3;
}

/** What an export currently holds on its storage, for safe-removal decisions and status. */
export interface HoldReport {
  openDescriptors: number;
  /** Bytes written UNSTABLE and not yet made durable. */
  uncommittedBytes: number;
  /** Human-readable descriptions of what is held (paths or handles), for `eject` to name. */
  holders: string[];
}

export interface Backend {
  /** The handle of the export's root. */
  root(ctx: OpContext): Promise<FileHandle>;
  getattr(fh: FileHandle, ctx: OpContext): Promise<Fattr3>;
  /** With `guardCtime`, fails NOT_SYNC unless the object's ctime equals it. */
  setattr(fh: FileHandle, attrs: Sattr3, guardCtime: NfsTime3 | undefined, ctx: OpContext): Promise<WccData>;
  lookup(dir: FileHandle, name: Buffer, ctx: OpContext): Promise<LookupResult>;
  /** Returns the subset of ACCESS3_* bits in `mask` that the caller holds. */
  access(fh: FileHandle, mask: number, ctx: OpContext): Promise<{ granted: number; attrs?: Fattr3 }>;
  readlink(fh: FileHandle, ctx: OpContext): Promise<{ target: Buffer; attrs?: Fattr3 }>;
  read(fh: FileHandle, offset: bigint, count: number, ctx: OpContext): Promise<ReadResult>;
  write(fh: FileHandle, offset: bigint, data: Buffer, stable: StableHow, ctx: OpContext): Promise<WriteResult>;
  create(dir: FileHandle, name: Buffer, how: CreateHow, ctx: OpContext): Promise<CreatedResult>;
  mkdir(dir: FileHandle, name: Buffer, attrs: Sattr3, ctx: OpContext): Promise<CreatedResult>;
  symlink(dir: FileHandle, name: Buffer, target: Buffer, attrs: Sattr3, ctx: OpContext): Promise<CreatedResult>;
  mknod(
    dir: FileHandle,
    name: Buffer,
    type: Ftype3,
    attrs: Sattr3,
    device: SpecData3 | undefined,
    ctx: OpContext,
  ): Promise<CreatedResult>;
  remove(dir: FileHandle, name: Buffer, ctx: OpContext): Promise<WccData>;
  rmdir(dir: FileHandle, name: Buffer, ctx: OpContext): Promise<WccData>;
  rename(
    fromDir: FileHandle,
    fromName: Buffer,
    toDir: FileHandle,
    toName: Buffer,
    ctx: OpContext,
  ): Promise<{ fromDirWcc: WccData; toDirWcc: WccData }>;
  link(fh: FileHandle, dir: FileHandle, name: Buffer, ctx: OpContext): Promise<{ attrs?: Fattr3; dirWcc: WccData }>;
  readdir(dir: FileHandle, req: ReaddirRequest, ctx: OpContext): Promise<DirPage>;
  fsstat(fh: FileHandle, ctx: OpContext): Promise<FsStat>;
  fsinfo(fh: FileHandle, ctx: OpContext): Promise<FsInfo>;
  pathconf(fh: FileHandle, ctx: OpContext): Promise<PathConf>;
  /** Makes every byte written to the file durable (offset/count are advisory, as RFC 1813 allows). */
  commit(fh: FileHandle, offset: bigint, count: number, ctx: OpContext): Promise<CommitResult>;

  /** Makes everything written so far durable, across all files (used by eject and shutdown). */
  flush(): Promise<void>;
  /** Closes every cached descriptor: afterwards the backend holds nothing on its storage until the next call. */
  release(): Promise<void>;
  /** What is held right now. */
  holds(): HoldReport;
  /** Permanently releases everything (server shutdown). */
  close(): Promise<void>;

  /**
   * The directory of this host the backend serves, when it serves one: safe
   * removal watches the filesystem mounted there (what this process holds on
   * it, and whether it was unmounted). Backends with no local storage omit it.
   */
  readonly path?: string;
  /**
   * Whether the storage this backend was created on is there now (false after
   * an unplug or unmount, until the same filesystem is mounted again). It may
   * open the storage briefly, never while it is absent. Omitted: always present.
   */
  present?(): Promise<boolean>;
}
