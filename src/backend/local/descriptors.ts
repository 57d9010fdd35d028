/**
 * Every descriptor the local backend holds on its export, and when it lets go.
 *
 * The mission is that an idle export holds nothing, so the storage can be
 * unmounted, while streaming stays fast. Descriptors are leases: a call takes
 * a reference for as long as it uses one; a lease nobody referenced for
 * `idleMs` is retired; a retired lease closes once its last user is done
 * (never under a running job: a closed number could be reused by another
 * open and the job would touch the wrong file). release() retires all.
 *
 * - The mount lease: the export root opened O_RDONLY|O_DIRECTORY, which
 *   open_by_handle_at needs; opened lazily (and verified by the opener).
 * - File leases: per handle, a read and/or a read-write descriptor, reused by
 *   consecutive READ/WRITE/COMMIT calls; at most `maxFds` descriptors stay
 *   cached (least recently used first out).
 *
 * Durability lives here too, because closing is where data can be lost:
 * bytes written UNSTABLE are counted per file; a file is fsynced before its
 * descriptor closes; a failed deferred fsync changes the write verifier (so
 * clients resend what they did not see committed) and is reported on the
 * next WRITE/COMMIT of that file (unfs3's rule).
 */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { HoldReport } from '../backend.js';
import type { Logger } from '../../server/log.js';
import * as native from './native.js';

abstract class Lease {
  refs = 0;
  lastUsed = performance.now();
  private retiring?: Promise<void>;
  private wake?: () => void;

  abstract fds(): number[];
  abstract describe(): string;
  /** Makes data durable if needed and closes every descriptor; runs once, with no users left. */
  protected abstract shut(): Promise<void>;

  get retired(): boolean {
    return this.retiring !== undefined;
  }

  ref(): void {
    this.refs++;
  }

  unref(): void {
    this.refs--;
    this.lastUsed = performance.now();
    if (this.refs === 0) this.wake?.();
  }

  /** Idempotent; resolves once closed. */
  retire(): Promise<void> {
    this.retiring ??= (this.refs === 0 ? Promise.resolve() : new Promise<void>((r) => (this.wake = r))).then(() =>
      this.shut(),
    );
    return this.retiring;
  }
}

/** Closes descriptors of one export; those closed in one turn go in one job. */
type Closer = (fds: number[]) => Promise<void>;

/** Batch keys of exports: negative, so they never meet a descriptor number used as one. */
let batchKeys = 0;

function pathOf(fd: number): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return `fd ${fd}`;
  }
}

class MountLease extends Lease {
  fd = -1;
  private opening?: Promise<void>;

  constructor(private readonly closeFds: Closer) {
    super();
  }

  async acquire(open: () => Promise<number>): Promise<number> {
    if (this.fd < 0) {
      this.opening ??= open()
        .then((fd) => void (this.fd = fd))
        .finally(() => (this.opening = undefined));
      await this.opening;
    }
    return this.fd;
  }

  fds(): number[] {
    return this.fd >= 0 ? [this.fd] : [];
  }

  describe(): string {
    return `export root ${pathOf(this.fd)} (fd ${this.fd})`;
  }

  protected async shut(): Promise<void> {
    await this.closeFds(this.fds());
    this.fd = -1;
  }
}

export class FileLease extends Lease {
  rfd = -1;
  wfd = -1;
  /** Bytes written UNSTABLE through this lease and not yet fsynced. */
  uncommitted = 0;
  private readonly opening: { r?: Promise<void>; w?: Promise<void> } = {};

  constructor(
    readonly key: string,
    readonly handle: Buffer,
    private readonly onSyncFailure: (lease: FileLease, err: unknown) => void,
    private readonly closeFds: Closer,
    /** A descriptor was opened (or adopted) on this lease. */
    private readonly opened: (lease: FileLease) => void,
  ) {
    super();
  }

  private current(write: boolean): number {
    return write || this.wfd >= 0 ? this.wfd : this.rfd;
  }

  /** A descriptor for reading (the read-write one serves too) or for writing, opened once for all concurrent users. */
  async acquire(write: boolean, open: (write: boolean) => Promise<number>): Promise<number> {
    if (this.current(write) < 0) {
      const slot = write ? 'w' : 'r';
      this.opening[slot] ??= open(write)
        .then((fd) => {
          if (write) this.wfd = fd;
          else this.rfd = fd;
          this.opened(this);
        })
        .finally(() => (this.opening[slot] = undefined));
      await this.opening[slot];
    }
    return this.current(write);
  }

  /** Takes `fd` as the read-write descriptor unless one is open or opening. */
  adopt(fd: number): boolean {
    if (this.wfd >= 0 || this.opening.w) return false;
    this.wfd = fd;
    this.opened(this);
    return true;
  }

  fds(): number[] {
    return [this.rfd, this.wfd].filter((fd) => fd >= 0);
  }

  describe(): string {
    const fd = this.wfd >= 0 ? this.wfd : this.rfd;
    const dirty = this.uncommitted > 0 ? `, ${this.uncommitted} bytes uncommitted` : '';
    return `${pathOf(fd)} (${this.wfd >= 0 ? 'read-write' : 'read'}${dirty})`;
  }

  /** fsync of the write descriptor; afterwards nothing written through this lease is uncommitted. */
  async sync(): Promise<void> {
    if (this.wfd < 0) return;
    const pending = this.uncommitted;
    await native.fsync(this.wfd);
    this.uncommitted = Math.max(0, this.uncommitted - pending);
  }

  protected async shut(): Promise<void> {
    if (this.uncommitted > 0) {
      try {
        await this.sync();
      } catch (err) {
        // A file removed meanwhile has nothing left to make durable.
        if ((err as NodeJS.ErrnoException).code !== 'ESTALE') this.onSyncFailure(this, err);
      }
    }
    await this.closeFds(this.fds());
    this.rfd = this.wfd = -1;
  }
}

export interface DescriptorOptions {
  idleMs: number;
  maxFds: number;
  /** Opens and verifies the export root; throws NfsError(STALE) when the right filesystem is not there. */
  openMount: () => Promise<number>;
  log: Logger;
}

const MAX_REMEMBERED_FAILURES = 1024;

export class Descriptors {
  private mount: MountLease;
  private readonly files = new Map<string, FileLease>();
  /** Descriptors of the leases in `files` (what maxFds bounds). */
  private cachedFds = 0;
  private readonly opened = (l: FileLease): void => {
    if (this.files.get(l.key) === l) this.cachedFds++;
  };
  /** Every lease that may hold descriptors, retired ones included until they are closed. */
  private readonly live = new Set<Lease>();
  private timer: NodeJS.Timeout | undefined;
  private readonly failures = new Map<string, unknown>();
  private failureCount = 0;
  private lastFailure: unknown;
  /** The write verifier: new per instance, and again after any lost write. */
  verifier: Buffer = randomBytes(8);
  /** This export's key for batched jobs on its files (small reads and writes, closes; see native.ts). */
  readonly batchKey = -++batchKeys;
  private readonly closeFds: Closer = async (fds) => {
    await Promise.all(
      fds.map((fd) =>
        native.close(fd, this.batchKey).catch((err: unknown) => this.opts.log.warn('local backend: close failed', { fd, err })),
      ),
    );
  };

  constructor(private readonly opts: DescriptorOptions) {
    this.mount = this.newMount();
  }

  private newMount(): MountLease {
    const m = new MountLease(this.closeFds);
    this.live.add(m);
    return m;
  }

  async withMount<T>(fn: (mountFd: number) => Promise<T>): Promise<T> {
    const m = this.mount;
    m.ref();
    try {
      return await fn(await m.acquire(this.opts.openMount));
    } finally {
      m.unref();
      this.schedule();
    }
  }

  /** The lease of `handle`, made most recently used. */
  private lease(handle: Buffer): FileLease {
    const key = handle.toString('latin1');
    let f = this.files.get(key);
    if (f) {
      this.files.delete(key); // re-inserted last: Map order is the LRU order
    } else {
      f = new FileLease(key, Buffer.from(handle), (l, err) => this.syncFailed(l, err), this.closeFds, this.opened);
      this.live.add(f);
    }
    this.files.set(key, f);
    return f;
  }

  /**
   * Keeps the read-write descriptor CREATE opened for the file it made, as
   * if a WRITE had opened it: the WRITE that usually follows needs no open.
   */
  adopt(handle: Buffer, fd: number): void {
    if (!this.lease(handle).adopt(fd)) {
      void this.closeFds([fd]);
      return;
    }
    this.trim();
    this.schedule();
  }

  /** Runs `fn` with a cached descriptor of the regular file `handle` names. */
  async withFile<T>(handle: Buffer, write: boolean, fn: (fd: number, lease: FileLease) => Promise<T>): Promise<T> {
    const f = this.lease(handle);
    f.ref();
    try {
      const lease = f;
      const fd = await f.acquire(write, (w) => this.withMount(async (m) => (await native.openFile(m, lease.handle, w)).fd));
      this.trim();
      return await fn(fd, f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESTALE') void this.retire(f);
      throw err;
    } finally {
      f.unref();
      this.schedule();
    }
  }

  /** The failure of a deferred fsync of this file, reported once. */
  takeFailure(handle: Buffer): unknown {
    const key = handle.toString('latin1');
    const err = this.failures.get(key);
    this.failures.delete(key);
    return err;
  }

  /** A write may have been lost: clients must resend everything not committed under the new verifier. */
  syncFailed(lease: FileLease, err: unknown): void {
    this.verifier = randomBytes(8);
    this.failureCount++;
    this.lastFailure = err;
    lease.uncommitted = 0;
    this.failures.delete(lease.key);
    this.failures.set(lease.key, err);
    if (this.failures.size > MAX_REMEMBERED_FAILURES) this.failures.delete(this.failures.keys().next().value!);
    this.opts.log.error('local backend: deferred fsync failed; write verifier changed', { err });
  }

  /** Drops the cached descriptors of a handle (its file was removed): resolves once they are closed. */
  async forget(handle: Buffer): Promise<void> {
    const key = handle.toString('latin1');
    this.failures.delete(key);
    const f = this.files.get(key);
    if (f) await this.retire(f);
  }

  private retire(l: Lease): Promise<void> {
    if (l instanceof FileLease && this.files.get(l.key) === l) {
      this.files.delete(l.key);
      this.cachedFds -= l.fds().length;
    }
    if (l === this.mount) this.mount = this.newMount();
    return l.retire().finally(() => this.live.delete(l));
  }

  /** Keeps at most maxFds file descriptors cached; descriptors in use are never closed. */
  private trim(): void {
    for (const f of this.files.values()) {
      if (this.cachedFds <= this.opts.maxFds) break;
      if (f.refs === 0) void this.retire(f);
    }
  }

  private holdsAny(): boolean {
    return this.mount.fd >= 0 || this.files.size > 0;
  }

  /** One unref'd timer for the whole cache: idle descriptors never keep the process alive. */
  private schedule(delay = this.opts.idleMs): void {
    if (this.timer || !this.holdsAny()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
    }, Math.max(10, delay));
    this.timer.unref();
  }

  private sweep(): void {
    const now = performance.now();
    let next = Infinity;
    for (const l of [this.mount, ...this.files.values()]) {
      if (l.refs > 0 || (l === this.mount && this.mount.fd < 0)) continue;
      const due = l.lastUsed + this.opts.idleMs;
      if (due <= now) void this.retire(l);
      else next = Math.min(next, due);
    }
    // Leases in use are looked at again one idle window after they were last seen busy.
    this.schedule(Number.isFinite(next) ? next - now : this.opts.idleMs);
  }

  /**
   * fsyncs every file with uncommitted data, including files whose descriptors
   * are closing; rejects with a failure if any fsync failed meanwhile.
   */
  async flush(): Promise<void> {
    const failures = this.failureCount;
    const dirty = [...this.files.values()].filter((f) => f.uncommitted > 0);
    await Promise.all([
      ...dirty.map(async (f) => {
        f.ref();
        try {
          await f.sync();
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESTALE') this.syncFailed(f, err);
        } finally {
          f.unref();
        }
      }),
      ...[...this.live].filter((l) => l.retired).map((l) => l.retire()),
    ]);
    if (this.failureCount !== failures) throw this.lastFailure;
  }

  /** Retires everything (making data durable first) and resolves when all of it is closed. */
  async release(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const f of [...this.files.values()]) void this.retire(f);
    void this.retire(this.mount);
    await Promise.all([...this.live].filter((l) => l.retired).map((l) => l.retire()));
  }

  holds(): HoldReport {
    let openDescriptors = 0;
    let uncommittedBytes = 0;
    const holders: string[] = [];
    for (const l of this.live) {
      const n = l.fds().length;
      if (l instanceof FileLease) uncommittedBytes += l.uncommitted;
      if (n === 0) continue;
      openDescriptors += n;
      holders.push(l.describe());
    }
    return { openDescriptors, uncommittedBytes, holders };
  }
}
