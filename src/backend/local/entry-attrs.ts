/**
 * Attributes of listed names that READDIRPLUS may give again without a
 * statx each, and those GETATTR may give again, for as long as nothing can
 * have changed them; and whether a listing still has the directory's names
 * (ListingCache).
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
 * GETATTR's attributes of an object are given again under the same rules,
 * except the second and third: the object itself is watched (added by the
 * GETATTR job before its statx), and a watch on an inode hears every change
 * made through any of its names or handles. They are the answer to a
 * client's close-to-open check, which only needs the changes this machine's
 * calls have made before the check (queued before those calls returned).
 * A watch no GETATTR has read through for IDLE_MS is removed.
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
 * Names and callers LOOKUP keeps per export, at most (beyond, all are
 * forgotten): a client may send any number of credentials.
 */
export const MAX_NAMES = 16_384;

/** A GETATTR watch unused this long is removed (not to hold the user's watches for files no one asks about). */
export const IDLE_MS = 10_000;

/**
 * Directories and files watched at once per export, at most. Watches count against
 * the user's limit (fs.inotify.max_user_watches, 8192 on many systems),
 * which other services of the machine need too; listings and GETATTRs beyond
 * this go without one (and nothing of them is reused).
 */
export const MAX_WATCHES = 1024;

/** Must match <sys/inotify.h>. */
const IN_Q_OVERFLOW = 0x4000;
const IN_ATTRIB = 0x4;
const IN_IGNORED = 0x8000;
const IN_UNMOUNT = 0x2000;
const IN_DELETE_SELF = 0x400;
const IN_MOVE_SELF = 0x800;
/** The watched object itself went away or moved: nothing listed from it or read of it stays known. */
const OBJECT_GONE = IN_UNMOUNT | IN_DELETE_SELF | IN_MOVE_SELF;
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

/** What a watch serves: the listings of its directory, the GETATTR attributes held of its object (by key). */
interface Watch {
  key: string;
  listings: Set<Listing>;
  holders: Set<string>;
}

/** What LOOKUP gives. */
export interface Found {
  handle: Buffer;
  attrs: PackedFattr;
  dirAttrs: PackedFattr;
}

/** What the LOOKUP job gives: with the watches of the directory and of the object (-1: none). */
export interface Looked extends Found {
  dirWd: number;
  wd: number;
}

/** A name LOOKUP found: its object's handle and held attributes, and when. */
interface FoundName {
  handle: Buffer;
  held: Held;
  readAt: number;
}

/** The names LOOKUP found in a directory, the credentials it found them for (who may search it), and its held attributes. */
interface DirNames {
  found: Map<string, FoundName>;
  searchers: Set<string>;
  held: Held;
}

/**
 * GETATTR's attributes of an object, and when they were read; attrs
 * undefined once an event named the object, or once it is no longer held
 * (LOOKUP's names refer to these objects).
 */
interface Held {
  wd: number;
  attrs: PackedFattr | undefined;
  readAt: number;
}

export class EntryAttrs {
  /** Entries and objects' attributes given without a statx of their own, over this object's life. */
  reused = 0;
  private fd = -1;
  /** What each watch serves (one watch serves everything of its inode), with its object's key. */
  private readonly watched = new Map<number, Watch>();
  /** Watches nothing uses any more, to remove (see list()), with their object's key. */
  private readonly unused = new Map<number, string>();
  /** Listings and GETATTRs being made, by the key (handle) of their object. */
  private readonly making = new Map<string, number>();
  /** GETATTR's and LOOKUP's attributes by the object's key, the least recently read first. */
  private readonly held = new Map<string, Held>();
  /** LOOKUP's names by the directory's key (each with the directory's attributes held), and how many names and searchers in all. */
  private readonly names = new Map<string, DirNames>();
  private nameCount = 0;
  /**
   * Events drained so far, and the count at the last one on each watch (and
   * at the last overflow): an event drained while a listing was being made,
   * or while attributes were being read, was applied before that listing
   * or those attributes were here to be marked, so it must stop them.
   */
  private events = 0;
  private readonly lastEvent = new Map<number, number>();
  private lastOverflow = -1;
  /** The count at the last IN_IGNORED: a watch that went while something was read through it is not kept. */
  private lastGone = -1;
  /** When the last drain began (performance.now()). */
  private drainedAt = -Infinity;

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
    return this.whileMaking(key, async () => {
      const fd = this.mayWatch() ? this.watchFd() : -1;
      const since = this.mark();
      const listing = await make(fd);
      // Released meanwhile: that watch belongs to a closed descriptor.
      if (fd < 0 || this.fd !== fd) listing.wd = -1;
      if (!this.quietSince(listing.wd, since)) listing.membersChanged = true;
      if (listing.wd >= 0) this.watch(listing.wd, key).listings.add(listing);
      return listing;
    });
  }

  /**
   * GETATTR: the attributes of the object with handle `fh`, given again
   * while they may be (see above), else read by `read` (the GETATTR job,
   * adding a watch on watchFd when that is not -1).
   */
  async getattr(
    fh: Buffer,
    receivedAt: number | undefined,
    read: (watchFd: number) => Promise<{ attrs: PackedFattr; wd: number }>,
  ): Promise<PackedFattr> {
    this.sync(receivedAt);
    const key = fh.toString('latin1');
    const readAt = performance.now();
    const held = this.held.get(key);
    if (held?.attrs && readAt - held.readAt < MAX_AGE_MS) {
      this.reused++;
      return held.attrs;
    }
    this.dropIdle(readAt);
    return this.whileMaking(key, async () => {
      const fd = held || this.mayWatch() ? this.watchFd() : -1;
      const since = this.mark();
      const { attrs, wd } = await read(fd);
      this.hold(key, fd, wd, attrs, readAt, since);
      return attrs;
    });
  }

  /**
   * LOOKUP of `name` in the directory with handle `dir` by a caller with
   * credentials `cred` (a key of them): answered again while the directory's
   * watch has reported no name added, removed or renamed in it, nor a change
   * to its own attributes (which could take that caller's search permission
   * away), and the attributes of both may be given again as by getattr();
   * else read by `read` (the LOOKUP job, adding watches on watchFd when that
   * is not -1). Each answer is at most MAX_AGE_MS old: a filesystem mounted
   * on a name makes no event.
   */
  async lookup(dir: Buffer, name: Buffer, cred: string, receivedAt: number | undefined, read: (watchFd: number) => Promise<Looked>): Promise<Found> {
    this.sync(receivedAt);
    const dirKey = dir.toString('latin1');
    const readAt = performance.now();
    const names = this.names.get(dirKey);
    const f = names?.searchers.has(cred) ? names.found.get(name.toString('latin1')) : undefined;
    if (f && readAt - f.readAt < MAX_AGE_MS) {
      const attrs = current(f.held, readAt);
      const dirAttrs = attrs && current(names!.held, readAt);
      if (dirAttrs) {
        this.reused++;
        return { handle: f.handle, attrs, dirAttrs };
      }
    }
    this.dropIdle(readAt);
    return this.whileMaking(dirKey, async () => {
      const fd = this.mayWatch() ? this.watchFd() : -1;
      const since = this.mark();
      const r = await read(fd);
      const dirHeld = this.hold(dirKey, fd, r.dirWd, r.dirAttrs, readAt, since);
      const held = dirHeld && this.hold(r.handle.toString('latin1'), fd, r.wd, r.attrs, readAt, since);
      if (held) this.remember(dirKey, dirHeld, name.toString('latin1'), cred, { handle: r.handle, held, readAt });
      return { handle: r.handle, attrs: r.attrs, dirAttrs: r.dirAttrs };
    });
  }

  private remember(dirKey: string, dirHeld: Held, name: string, cred: string, found: FoundName): void {
    if (this.nameCount >= MAX_NAMES) this.forgetNames();
    let d = this.names.get(dirKey);
    if (!d) this.names.set(dirKey, (d = { found: new Map(), searchers: new Set(), held: dirHeld }));
    if (!d.found.has(name)) this.nameCount++;
    if (!d.searchers.has(cred)) this.nameCount++;
    d.found.set(name, found);
    d.searchers.add(cred);
  }

  private forgetNames(dirKey?: string): void {
    if (dirKey === undefined) {
      this.names.clear();
      this.nameCount = 0;
      return;
    }
    const d = this.names.get(dirKey);
    if (!d) return;
    this.nameCount -= d.found.size + d.searchers.size;
    this.names.delete(dirKey);
  }

  /**
   * Keeps attributes of the object `key` names, read through watch `wd` of
   * descriptor `fd` since mark `since`, if no event has been drained on it
   * since (later ones are drained onto them); else forgets any held.
   */
  private hold(key: string, fd: number, wd: number, attrs: PackedFattr, readAt: number, since: number): Held | undefined {
    if (wd < 0 || fd < 0 || this.fd !== fd || !this.quietSince(wd, since)) {
      this.unhold(key);
      return undefined;
    }
    let h = this.held.get(key);
    if (h && h.wd === wd) {
      // The same object again (names found refer to it): set last, the most recently read.
      this.held.delete(key);
      h.attrs = attrs;
      h.readAt = readAt;
    } else {
      if (h) this.unhold(key);
      h = { wd, attrs, readAt };
      this.watch(wd, key).holders.add(key);
    }
    this.held.set(key, h);
    return h;
  }

  private mayWatch(): boolean {
    return this.watched.size + this.unused.size < MAX_WATCHES;
  }

  /** Runs `make`, which may be given the watch of the object `key` names (see list()). */
  private async whileMaking<T>(key: string, make: () => Promise<T>): Promise<T> {
    this.making.set(key, (this.making.get(key) ?? 0) + 1);
    try {
      return await make();
    } finally {
      const n = this.making.get(key)! - 1;
      if (n > 0) this.making.set(key, n);
      else this.making.delete(key);
      this.removeUnused();
    }
  }

  /** The record of watch `wd` (of the object `key` names), made if new. */
  private watch(wd: number, key: string): Watch {
    let w = this.watched.get(wd);
    if (!w) this.watched.set(wd, (w = { key, listings: new Set(), holders: new Set() }));
    return w;
  }

  /** Held attributes not read for IDLE_MS go, and their watches if nothing else uses them. */
  private dropIdle(now: number): void {
    for (const [key, h] of this.held) {
      if (now - h.readAt < IDLE_MS) break;
      this.unhold(key);
    }
  }

  /** The held attributes of `key` go (names found that refer to them see none), with the names found in it. */
  private forget(key: string): Held | undefined {
    const h = this.held.get(key);
    if (!h) return undefined;
    this.held.delete(key);
    h.attrs = undefined;
    // What LOOKUP found in a directory is known only while its watch is kept.
    this.forgetNames(key);
    return h;
  }

  /** As forget(), and its watch goes if nothing else uses it. */
  private unhold(key: string): void {
    const h = this.forget(key);
    const w = h && this.watched.get(h.wd);
    if (w?.holders.delete(key)) this.retireIfUnused(h!.wd, w);
  }

  /** A listing no longer used: its watch goes once no listing of the directory needs it. */
  untrack(listing: Listing): void {
    const wd = listing.wd;
    listing.wd = -1;
    listing.reuse = undefined;
    const w = this.watched.get(wd);
    if (w?.listings.delete(listing)) this.retireIfUnused(wd, w);
  }

  private retireIfUnused(wd: number, w: Watch): void {
    if (w.listings.size > 0 || w.holders.size > 0) return;
    this.watched.delete(wd);
    this.unused.set(wd, w.key);
    this.removeUnused();
  }

  private removeUnused(): void {
    for (const [wd, dir] of this.unused) {
      if (this.making.has(dir)) continue;
      this.unused.delete(wd);
      if (!this.watched.has(wd)) native.watchRemove(this.fd, wd);
    }
  }

  /**
   * Applies every queued event: before any reuse, of a listing (ListingCache)
   * or of attributes. For a request read at `receivedAt` (OpContext), events
   * drained since hold everything it can know of: one drain serves all the
   * calls that came in one read of a socket.
   */
  sync(receivedAt?: number): void {
    if (this.fd < 0 || (receivedAt !== undefined && this.drainedAt > receivedAt)) return;
    // Taken before the read (the events it finds were all queued by then), kept once they are all applied.
    const at = performance.now();
    for (const e of native.watchDrain(this.fd)) {
      this.events++;
      if (e.mask & IN_Q_OVERFLOW) {
        this.lastOverflow = this.events;
        for (const w of this.watched.values()) for (const l of w.listings) (l.reuse = undefined), (l.membersChanged = true);
        for (const h of this.held.values()) h.attrs = undefined;
        this.forgetNames();
        continue;
      }
      if (e.mask & IN_IGNORED) {
        this.lastEvent.delete(e.wd);
        this.lastGone = this.events;
      } else this.lastEvent.set(e.wd, this.events);
      const w = this.watched.get(e.wd);
      if (!w) continue;
      // An event on the object itself (no name), or a name added, removed or renamed in it, may have changed
      // its own attributes; a directory's entries being read or written (named events) do not.
      if (e.cookie === 0n || e.mask & MEMBERSHIP) for (const key of w.holders) this.held.get(key)!.attrs = undefined;
      const names = this.names.get(w.key);
      if (names) {
        if (e.mask & MEMBERSHIP) this.forgetNames(w.key);
        // The directory's own attributes changed (mode, owner, ACL): who may search it is not known.
        else if (e.cookie === 0n && e.mask & IN_ATTRIB) {
          this.nameCount -= names.searchers.size;
          names.searchers.clear();
        }
      }
      if (e.mask & (IN_IGNORED | OBJECT_GONE)) {
        // Without a watch nothing more would be reported: nothing of it is reused again.
        for (const l of w.listings) (l.reuse = undefined), (l.wd = -1);
        for (const key of w.holders) this.forget(key);
        this.watched.delete(e.wd);
        // A moved object's watch stays in the kernel until removed.
        if (!(e.mask & IN_IGNORED)) this.unused.set(e.wd, w.key);
      } else if (e.cookie !== 0n) {
        for (const l of w.listings) {
          forgetName(l, e.cookie);
          if (e.mask & MEMBERSHIP) l.membersChanged = true;
        }
      }
    }
    this.drainedAt = at;
  }

  /** Where a change through a backend is in flight, attributes read now cannot be kept. */
  stamp(): number | undefined {
    return changes.inFlight > 0 ? undefined : changes.count;
  }

  /** A point in the sequence of drained events, for quietSince(). */
  mark(): number {
    return this.events;
  }

  /**
   * No event on watch `wd` (and no overflow, and no watch gone: its wd was
   * forgotten with it) has been drained since mark `since`.
   */
  private quietSince(wd: number, since: number): boolean {
    return this.lastOverflow <= since && this.lastGone <= since && (this.lastEvent.get(wd) ?? -1) <= since;
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
    for (const h of this.held.values()) h.attrs = undefined;
    this.held.clear();
    this.forgetNames();
    this.lastEvent.clear();
    const fd = this.fd;
    this.fd = -1;
    if (fd >= 0) await native.close(fd).catch((err: unknown) => this.log.warn('local backend: closing inotify failed', { fd, err }));
  }
}

/** Held attributes, if they may be given again now. */
function current(h: Held, now: number): PackedFattr | undefined {
  return h.attrs && now - h.readAt < MAX_AGE_MS ? h.attrs : undefined;
}

/** An event named an entry: its attributes are read again (and those of names whose cookies follow it closely, harmlessly). */
function forgetName(l: Listing, cookie: bigint): void {
  const r = l.reuse;
  if (!r) return;
  // Equal name hashes were moved up by one each (listdir): look a few positions on.
  for (let i = firstAfter(l.cookies, cookie - 1n); i < l.count && l.cookies[i]! <= cookie + 8n; i++) r.readAt[i] = 0;
}
