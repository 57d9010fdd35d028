/**
 * The state of the NLM lock manager: byte-range locks with POSIX fcntl
 * semantics, DOS share reservations and the queue of blocked lock requests.
 * Pure and synchronous — the NLM handlers do the I/O (GRANTED callbacks) with
 * what these operations return.
 */
import { overlaps, ownOwner, sameOwner, sameRange, touches, type ByteRange, type LockOwner } from './range.js';
import { ShareTable, type ShareOwner } from './share-table.js';

export { RANGE_END, offsetLengthOf, rangeOf, type ByteRange, type LockOwner } from './range.js';
export { SHARE_READ, SHARE_WRITE, type ShareOwner } from './share-table.js';

export interface HeldLock extends ByteRange {
  owner: LockOwner;
  exclusive: boolean;
}

export interface LockRequest extends ByteRange {
  owner: LockOwner;
  exclusive: boolean;
}

/** A blocked request that was just granted. */
export interface Grant<W> {
  file: string;
  lock: LockRequest;
  waiter: W;
  /** The owner's own locks over the range just before the grant, clipped to it (an upgrade's shared lock), to take a grant back exactly. */
  replaced: HeldLock[];
}

export interface Release<W> {
  locks: number;
  shares: number;
  dropped: W[];
  woken: Grant<W>[];
}

interface Queued<W> {
  lock: LockRequest;
  waiter: W;
}

interface FileLocks<W> {
  /** Sorted by start; each owner's locks disjoint and coalesced. */
  held: HeldLock[];
  /** FIFO; every entry conflicts with a held lock of another owner. */
  queue: Queued<W>[];
}

function conflicts(held: HeldLock, req: LockRequest): boolean {
  return (held.exclusive || req.exclusive) && overlaps(held, req) && !sameOwner(held.owner, req.owner);
}

function sameRequest(a: LockRequest, b: LockRequest): boolean {
  return a.exclusive === b.exclusive && sameRange(a, b) && sameOwner(a.owner, b.owner);
}

function copyRequest(req: LockRequest): LockRequest {
  return { start: req.start, end: req.end, owner: ownOwner(req.owner), exclusive: req.exclusive };
}

function byStart(a: ByteRange, b: ByteRange): number {
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}

/**
 * Puts req in place of the owner's locks over its range (the caller checked it
 * conflicts with nobody), merging with the owner's touching locks of its type.
 * Returns whether an exclusive range became shared: the only way taking a lock
 * can let a waiter in.
 */
function apply(held: HeldLock[], req: LockRequest): { held: HeldLock[]; relaxed: boolean } {
  const out: HeldLock[] = [];
  let { start, end } = req;
  let relaxed = false;
  for (const l of held) {
    if (!sameOwner(l.owner, req.owner) || !touches(l, req)) {
      out.push(l);
      continue;
    }
    const overlapping = overlaps(l, req);
    if (overlapping && l.exclusive && !req.exclusive) relaxed = true;
    if (l.exclusive === req.exclusive) {
      if (l.start < start) start = l.start;
      if (l.end > end) end = l.end;
    } else if (!overlapping) {
      out.push(l);
    } else {
      if (l.start < req.start) out.push({ ...l, end: req.start });
      if (l.end > req.end) out.push({ ...l, start: req.end });
    }
  }
  out.push({ start, end, owner: req.owner, exclusive: req.exclusive });
  return { held: out.sort(byStart), relaxed };
}

/** Cuts range out of the owner's locks; returns the remaining locks and whether anything was cut. */
function remove(held: HeldLock[], owner: LockOwner, range: ByteRange): { held: HeldLock[]; freed: boolean } {
  const out: HeldLock[] = [];
  let freed = false;
  for (const l of held) {
    if (!overlaps(l, range) || !sameOwner(l.owner, owner)) {
      out.push(l);
      continue;
    }
    freed = true;
    if (l.start < range.start) out.push({ ...l, end: range.start });
    if (l.end > range.end) out.push({ ...l, start: range.end });
  }
  return { held: freed ? out.sort(byStart) : held, freed };
}

export class LockTable<W = unknown> {
  private readonly files = new Map<string, FileLocks<W>>();
  private readonly shareTable = new ShareTable();
  /** Totals over all files, kept so size() stays O(1) for a cap checked on every call. */
  private heldCount = 0;
  private queuedCount = 0;

  /** The first lock of ANOTHER owner that conflicts with req (overlap and either exclusive); undefined if none. */
  test(file: string, req: LockRequest): HeldLock | undefined {
    return this.files.get(file)?.held.find((l) => conflicts(l, req));
  }

  /**
   * Grants with POSIX fcntl semantics or reports the conflict (and then changes nothing).
   * A downgrade may let blocked requests in: they are granted and returned in `woken`.
   */
  lock(file: string, req: LockRequest): { conflict: HeldLock } | { woken: Grant<W>[] } {
    const conflict = this.test(file, req);
    if (conflict) return { conflict };
    const f = this.fileFor(file);
    const { held, relaxed } = apply(f.held, copyRequest(req));
    this.setHeld(f, held);
    return { woken: relaxed ? this.wake(file, f) : [] };
  }

  /** Releases the owner's locks over the range (splitting). Returns the blocked requests this let in, already granted, FIFO. */
  unlock(file: string, owner: LockOwner, range: ByteRange): Grant<W>[] {
    const f = this.files.get(file);
    if (!f) return [];
    const { held, freed } = remove(f.held, owner, range);
    this.setHeld(f, held);
    const woken = freed ? this.wake(file, f) : [];
    this.dropIfEmpty(file, f);
    return woken;
  }

  /**
   * Queues a blocked request (the caller found it conflicting). Re-queuing the same
   * (owner, range, exclusive) replaces the waiter but keeps its place: clients retry blocked LOCKs.
   */
  block(file: string, req: LockRequest, waiter: W): void {
    const f = this.fileFor(file);
    const queued = f.queue.find((q) => sameRequest(q.lock, req));
    if (queued) {
      queued.waiter = waiter;
    } else {
      f.queue.push({ lock: copyRequest(req), waiter });
      this.queuedCount++;
    }
  }

  /** Removes a queued request matching owner, range and type; returns its waiter (NLM CANCEL). */
  cancel(file: string, req: LockRequest): W | undefined {
    const f = this.files.get(file);
    const i = f ? f.queue.findIndex((q) => sameRequest(q.lock, req)) : -1;
    if (!f || i < 0) return undefined;
    const [queued] = f.queue.splice(i, 1);
    this.queuedCount--;
    this.dropIfEmpty(file, f);
    return queued!.waiter;
  }

  isBlocked(file: string, req: LockRequest): boolean {
    return this.files.get(file)?.queue.some((q) => sameRequest(q.lock, req)) ?? false;
  }

  /**
   * Share reservations (NLM SHARE), owner = (host, oh); mode = deny bits, access bits (SHARE_READ, SHARE_WRITE).
   * Returns false on conflict with another owner's reservation (nothing changed).
   */
  share(file: string, owner: ShareOwner, mode: number, access: number): boolean {
    return this.shareTable.share(file, owner, mode, access);
  }

  unshare(file: string, owner: ShareOwner): void {
    this.shareTable.unshare(file, owner);
  }

  /** Everything of one host (NLM FREE_ALL, an SM_NOTIFY reboot): locks, shares and queued requests. */
  releaseHost(host: string): Release<W> {
    const out: Release<W> = { locks: 0, shares: this.shareTable.releaseHost(host), dropped: [], woken: [] };
    for (const [file, f] of this.files) {
      const queue = f.queue.filter((q) => q.lock.owner.host !== host);
      for (const q of f.queue) if (q.lock.owner.host === host) out.dropped.push(q.waiter);
      this.queuedCount -= f.queue.length - queue.length;
      f.queue = queue;
      const held = f.held.filter((l) => l.owner.host !== host);
      const freed = f.held.length - held.length;
      out.locks += freed;
      this.setHeld(f, held);
      if (freed > 0) out.woken.push(...this.wake(file, f));
      this.dropIfEmpty(file, f);
    }
    return out;
  }

  /** Everything on files matching the predicate (eject of an export: files are keyed by export). */
  releaseFiles(match: (file: string) => boolean): Release<W> {
    const out: Release<W> = { locks: 0, shares: this.shareTable.releaseFiles(match), dropped: [], woken: [] };
    for (const [file, f] of this.files) {
      if (!match(file)) continue;
      out.locks += f.held.length;
      for (const q of f.queue) out.dropped.push(q.waiter);
      this.heldCount -= f.held.length;
      this.queuedCount -= f.queue.length;
      this.files.delete(file);
    }
    return out;
  }

  locks(): Array<{ file: string; lock: HeldLock }> {
    return [...this.files].flatMap(([file, f]) => f.held.map((lock) => ({ file, lock })));
  }

  shares(): Array<{ file: string; host: string; oh: Buffer; mode: number; access: number }> {
    return this.shareTable.list();
  }

  waiting(): Array<{ file: string; lock: LockRequest; waiter: W }> {
    return [...this.files].flatMap(([file, f]) => f.queue.map((q) => ({ file, lock: q.lock, waiter: q.waiter })));
  }

  /** Hosts that hold anything (locks, shares, or queued requests). */
  hosts(): Set<string> {
    const hosts = new Set<string>();
    for (const f of this.files.values()) {
      for (const l of f.held) hosts.add(l.owner.host);
      for (const q of f.queue) hosts.add(q.lock.owner.host);
    }
    this.shareTable.addHosts(hosts);
    return hosts;
  }

  /** Files with locks or queued requests (shares aside): empty files are dropped, so this stays bounded. */
  lockedFiles(): string[] {
    return [...this.files.keys()];
  }

  /** Held locks, shares and queued requests over all files: what a cap on the table's memory counts. */
  size(): number {
    return this.heldCount + this.queuedCount + this.shareTable.size();
  }

  private setHeld(f: FileLocks<W>, held: HeldLock[]): void {
    this.heldCount += held.length - f.held.length;
    f.held = held;
  }

  private fileFor(file: string): FileLocks<W> {
    let f = this.files.get(file);
    if (!f) this.files.set(file, (f = { held: [], queue: [] }));
    return f;
  }

  private dropIfEmpty(file: string, f: FileLocks<W>): void {
    if (f.held.length === 0 && f.queue.length === 0) this.files.delete(file);
  }

  /**
   * Grants, in FIFO order, the queued requests that no longer conflict; each counts
   * as held for those after it. A granted downgrade can free ranges for requests
   * earlier in the queue, so scan again until a pass relaxes nothing.
   */
  private wake(file: string, f: FileLocks<W>): Grant<W>[] {
    const woken: Grant<W>[] = [];
    for (let again = true; again; ) {
      again = false;
      for (let i = 0; i < f.queue.length; ) {
        const q = f.queue[i]!;
        if (f.held.some((l) => conflicts(l, q.lock))) {
          i++;
          continue;
        }
        f.queue.splice(i, 1);
        this.queuedCount--;
        const replaced = f.held
          .filter((l) => sameOwner(l.owner, q.lock.owner) && overlaps(l, q.lock))
          .map((l) => ({ ...l, start: l.start > q.lock.start ? l.start : q.lock.start, end: l.end < q.lock.end ? l.end : q.lock.end }));
        const { held, relaxed } = apply(f.held, q.lock);
        this.setHeld(f, held);
        again ||= relaxed;
        woken.push({ file, lock: q.lock, waiter: q.waiter, replaced });
      }
    }
    return woken;
  }
}
