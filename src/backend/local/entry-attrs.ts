/**
 * Attributes of listed names that READDIRPLUS may give again without a
 * statx each, for as long as nothing can have changed them; and whether a
 * listing still has the directory's names (ListingCache).
 *
 * Listing a directory again costs one statx per entry (the handles are
 * already kept with the listing), which is most of the work of a repeated
 * READDIRPLUS. An entry's attributes are reused only when all of these hold:
 *
 * - The directory has an inotify watch, added before it was read, and no
 *   event has named the entry since its attributes were read (events are
 *   read, without blocking, before every reuse): a write, truncate, chmod,
 *   chown, utimes, link or unlink of it by any process on this machine
 *   through a path in this directory is queued by the kernel before that
 *   call returns. An overflowing event queue, or the watch going away
 *   (directory removed, filesystem unmounted), drops everything.
 * - It is a regular file or a symbolic link with one link: changes made
 *   through another name of a file are reported to that name's directory.
 * - No change went through any local backend of this process since they
 *   were read, nor was one in flight then: a change through a handle may be
 *   made through a dentry with no parent (open_by_handle_at), which inotify
 *   cannot report to the directory.
 * - They were read less than MAX_AGE_MS ago. This bounds what inotify
 *   cannot see at all: writes through a shared mmap, blocks allocated by
 *   delayed allocation (`used`), changes made through handles by another
 *   server on this machine (knfsd), or on a network filesystem by another
 *   host. Clients themselves keep attributes for at least 3 s (acregmin).
 *
 * The same watch tells when a listing's names may be out of date (a name
 * added, removed or renamed, or events lost): on a filesystem only this
 * kernel changes, a listing with a live watch and none of those is used past
 * ListingCache's age limit, so its handles stay.
 *
 * The inotify descriptor is opened when a listing first needs it and closed
 * by release(), with every watch: an idle export holds nothing. Watches do
 * not keep a filesystem from being unmounted (the kernel drops them with
 * IN_UNMOUNT).
 */
import { FATTR3_BYTES, PackedFattr } from '../../proto/nfs3/common.js';
import { Ftype3 } from '../../proto/nfs3/constants.js';
import type { Logger } from '../../server/log.js';
import { firstAfter } from './listings.js';
import * as native from './native.js';
import type { Listing } from './native.js';

/** How long attributes that no event can invalidate are reused. */
export const MAX_AGE_MS = 1000;

/**
 * Directories watched at once per export, at most. Watches count against
 * the user's limit (fs.inotify.max_user_watches, 8192 on many systems),
 * which other services of the machine need too; listings beyond this are
 * made without one (and nothing of them is reused).
 */
export const MAX_WATCHES = 1024;

/** Must match <sys/inotify.h>. */
const IN_Q_OVERFLOW = 0x4000;
const IN_IGNORED = 0x8000;
const IN_UNMOUNT = 0x2000;
const IN_DELETE_SELF = 0x400;
const IN_MOVE_SELF = 0x800;
/** The directory itself went away or moved: nothing listed from it stays known. */
const DIRECTORY_GONE = IN_UNMOUNT | IN_DELETE_SELF | IN_MOVE_SELF;
const IN_MOVED_FROM = 0x40;
const IN_MOVED_TO = 0x80;
const IN_CREATE = 0x100;
const IN_DELETE = 0x200;
/** A name was added, removed or renamed: the listing itself is out of date. */
const MEMBERSHIP = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;

/**
 * Changes made through any local backend of this process: a count that moves
 * when one begins and when one ends, and how many are in flight.
 */
class ChangeClock {
  count = 0;
  inFlight = 0;

  async around<T>(change: () => Promise<T>): Promise<T> {
    this.count++;
    this.inFlight++;
    try {
      return await change();
    } finally {
      this.inFlight--;
      this.count++;
    }
  }
}

export const changes = new ChangeClock();

/** Entries READDIRPLUS may reuse attributes of (see above). */
function reusable(f: PackedFattr): boolean {
  return (f.type === Ftype3.REG || f.type === Ftype3.LNK) && f.nlink === 1;
}

export class EntryAttrs {
  /** Entries given without a statx of their own, over this object's life. */
  reused = 0;
  private fd = -1;
  /** Listings by watch (one watch serves every listing of its directory), with the directory's key. */
  private readonly watched = new Map<number, { dir: string; listings: Set<Listing> }>();
  /** Watches no listing uses any more, to remove (see list()), with their directory's key. */
  private readonly unused = new Map<number, string>();
  /** Listings being made, by directory key. */
  private readonly making = new Map<string, number>();
  /**
   * Events drained so far, and the count at the last one on each watch (and
   * at the last overflow): an event drained while a listing was being made,
   * or while attributes were being read, was applied before that listing
   * or those attributes were here to be marked, so it must stop them.
   */
  private events = 0;
  private readonly lastEvent = new Map<number, number>();
  private lastOverflow = -1;

  constructor(private readonly log: Logger) {}

  /** The inotify descriptor for listdir, opened on first use; -1 when none can be (nothing is then reused). */
  private watchFd(): number {
    if (this.fd < 0) {
      try {
        this.fd = native.watchInit();
      } catch (err) {
        this.log.warn('local backend: no inotify descriptor; listings are read afresh', { err });
      }
    }
    return this.fd;
  }

  /**
   * Makes a listing of the directory `dir` (its handle) with a watch on it.
   * The kernel gives one watch to every listing of a directory, so a watch
   * no listing uses is removed only while no listing of that directory is
   * being made: one in the making may have been given that same watch, and
   * would then never hear of a change.
   */
  async list(dir: Buffer, make: (watchFd: number) => Promise<Listing>): Promise<Listing> {
    const key = dir.toString('latin1');
    this.making.set(key, (this.making.get(key) ?? 0) + 1);
    try {
      const fd = this.watched.size + this.unused.size < MAX_WATCHES ? this.watchFd() : -1;
      const since = this.mark();
      const listing = await make(fd);
      // Released meanwhile: that watch belongs to a closed descriptor.
      if (fd < 0 || this.fd !== fd) listing.wd = -1;
      if (!this.quietSince(listing.wd, since)) listing.membersChanged = true;
      if (listing.wd >= 0) {
        let w = this.watched.get(listing.wd);
        if (!w) this.watched.set(listing.wd, (w = { dir: key, listings: new Set() }));
        w.listings.add(listing);
      }
      return listing;
    } finally {
      const n = this.making.get(key)! - 1;
      if (n > 0) this.making.set(key, n);
      else this.making.delete(key);
      this.removeUnused();
    }
  }

  /** A listing no longer used: its watch goes once no listing of the directory needs it. */
  untrack(listing: Listing): void {
    const wd = listing.wd;
    listing.wd = -1;
    listing.reuse = undefined;
    const w = this.watched.get(wd);
    if (!w?.listings.delete(listing) || w.listings.size > 0) return;
    this.watched.delete(wd);
    this.unused.set(wd, w.dir);
    this.removeUnused();
  }

  private removeUnused(): void {
    for (const [wd, dir] of this.unused) {
      if (this.making.has(dir)) continue;
      this.unused.delete(wd);
      if (!this.watched.has(wd)) native.watchRemove(this.fd, wd);
    }
  }

  /** Applies every queued event: before any reuse, of a listing (ListingCache) or of attributes. */
  sync(): void {
    if (this.fd < 0) return;
    for (const e of native.watchDrain(this.fd)) {
      this.events++;
      if (e.mask & IN_Q_OVERFLOW) {
        this.lastOverflow = this.events;
        for (const w of this.watched.values()) for (const l of w.listings) (l.reuse = undefined), (l.membersChanged = true);
        continue;
      }
      if (e.mask & IN_IGNORED) this.lastEvent.delete(e.wd);
      else this.lastEvent.set(e.wd, this.events);
      const set = this.watched.get(e.wd)?.listings;
      if (!set) continue;
      if (e.mask & (IN_IGNORED | DIRECTORY_GONE)) {
        // Without a watch nothing more would be reported: nothing of these listings is reused again.
        for (const l of set) (l.reuse = undefined), (l.wd = -1);
        this.watched.delete(e.wd);
      } else if (e.cookie !== 0n) {
        for (const l of set) {
          forgetName(l, e.cookie);
          if (e.mask & MEMBERSHIP) l.membersChanged = true;
        }
      }
    }
  }

  /** Where a change through a backend is in flight, attributes read now cannot be kept. */
  stamp(): number | undefined {
    return changes.inFlight > 0 ? undefined : changes.count;
  }

  /** A point in the sequence of drained events, for quietSince(). */
  mark(): number {
    return this.events;
  }

  /** No event on watch `wd` (and no overflow) has been drained since mark `since`. */
  private quietSince(wd: number, since: number): boolean {
    return this.lastOverflow <= since && (this.lastEvent.get(wd) ?? -1) <= since;
  }

  /** Entry i's attributes if they may be reused now (after sync()). */
  get(listing: Listing, i: number, now: number): PackedFattr | undefined {
    const r = listing.reuse;
    if (!r || r.generation !== changes.count || listing.wd < 0) return undefined;
    const at = r.readAt[i]!;
    if (at === 0 || now - at >= MAX_AGE_MS) return undefined;
    this.reused++;
    return new PackedFattr(r.fattrs.subarray(i * FATTR3_BYTES, (i + 1) * FATTR3_BYTES));
  }

  /** Keeps entry i's attributes, read from `readAt` on, under `stamp` and `since` (mark()), if they may be reused. */
  put(listing: Listing, i: number, attrs: PackedFattr, stamp: number | undefined, since: number, readAt: number): void {
    if (stamp === undefined || stamp !== changes.count || listing.wd < 0 || !reusable(attrs)) return;
    if (!this.quietSince(listing.wd, since)) return;
    let r = listing.reuse;
    if (!r || r.generation !== stamp) {
      r = listing.reuse = {
        generation: stamp,
        fattrs: Buffer.allocUnsafe(listing.count * FATTR3_BYTES),
        readAt: new Float64Array(listing.count),
      };
    }
    attrs.xdr.copy(r.fattrs, i * FATTR3_BYTES);
    r.readAt[i] = readAt;
  }

  /**
   * Closes the descriptor and with it every watch: nothing is reused until
   * listings are made again. On the threadpool: closing an inotify
   * descriptor waits for the kernel to retire its watches.
   */
  async release(): Promise<void> {
    for (const w of this.watched.values()) for (const l of w.listings) (l.reuse = undefined), (l.wd = -1);
    this.watched.clear();
    this.unused.clear();
    this.lastEvent.clear();
    const fd = this.fd;
    this.fd = -1;
    if (fd >= 0) await native.close(fd).catch((err: unknown) => this.log.warn('local backend: closing inotify failed', { fd, err }));
  }
}

/** An event named an entry: its attributes are read again (and those of names whose cookies follow it closely, harmlessly). */
function forgetName(l: Listing, cookie: bigint): void {
  const r = l.reuse;
  if (!r) return;
  // Equal name hashes were moved up by one each (listdir): look a few positions on.
  for (let i = firstAfter(l.cookies, cookie - 1n); i < l.count && l.cookies[i]! <= cookie + 8n; i++) r.readAt[i] = 0;
}
