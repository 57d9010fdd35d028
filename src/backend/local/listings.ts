/**
 * Directory listings for READDIR paging.
 *
 * A cookie is a stable position: a 63-bit hash of the entry's name (computed
 * in the addon, which sorts the listing by it). Continuing from a cookie
 * returns the entries whose hash is greater, so pages stay correct while
 * other entries are added or removed between them, and across server
 * restarts. Cookies 1 and 2 are "." and "..".
 *
 * Paging a large directory must not relist it per page, so a listing is kept
 * briefly, keyed by the directory's handle and valid while its inode, mtime
 * and ctime are unchanged (every change to a directory updates both; our own
 * changes also invalidate explicitly), and for 30 s at most unless its
 * directory is watched (see current()). Memory is bounded by a total entry
 * count; nothing here holds a descriptor.
 */
import { performance } from 'node:perf_hooks';
import type { Listing, RawStat } from './native.js';

interface Slot {
  stamp: string;
  listing: Listing;
  born: number;
}

function stampOf(s: RawStat): string {
  return `${s.ino}:${s.mtime.seconds}.${s.mtime.nseconds}:${s.ctime.seconds}.${s.ctime.nseconds}`;
}

export interface ListingCacheOptions {
  /** Total entries over all cached listings. */
  maxEntries: number;
  /** A listing older than this is read again even if the directory looks unchanged (coarse timestamps). */
  maxAgeMs: number;
  /** A listing leaves the cache, or was too large to enter it (its last users may still hold it). */
  onDrop?: (listing: Listing) => void;
  /** Every change to the filesystem is made by this kernel, so its watches see them all (see current()). */
  watchesSeeAll?: boolean;
}

/**
 * Coarse timestamps can hide a change made in the same tick as the listing,
 * hence the age limit; a directory watched since before it was read, with
 * no name added, removed or renamed since, needs none (EntryAttrs.sync()
 * must have run just before) where the watch sees every change: not on a
 * network or FUSE filesystem, changed by others than this kernel.
 */
function current(slot: Slot, opts: ListingCacheOptions): boolean {
  const l = slot.listing;
  if (l.membersChanged) return false;
  if (l.wd >= 0 && opts.watchesSeeAll) return true;
  return performance.now() - slot.born < opts.maxAgeMs;
}

export class ListingCache {
  private readonly slots = new Map<string, Slot>();
  private entries = 0;

  constructor(private readonly opts: ListingCacheOptions) {}

  /** The listing of `dir` as of `stat` (the directory's attributes just read), listing it again only when needed. */
  async get(dir: Buffer, stat: RawStat, list: () => Promise<Listing>): Promise<Listing> {
    const key = dir.toString('latin1');
    const stamp = stampOf(stat);
    const slot = this.slots.get(key);
    if (slot && slot.stamp === stamp && current(slot, this.opts)) {
      this.slots.delete(key); // re-inserted last: Map order is the LRU order
      this.slots.set(key, slot);
      return slot.listing;
    }
    this.drop(key);
    const listing = await list();
    // Keyed by the attributes seen before listing: a change racing with the listing only makes it relist next time.
    this.put(key, { stamp, listing, born: performance.now() });
    return listing;
  }

  invalidate(dir: Buffer): void {
    this.drop(dir.toString('latin1'));
  }

  clear(): void {
    for (const key of [...this.slots.keys()]) this.drop(key);
  }

  private put(key: string, slot: Slot): void {
    const n = slot.listing.count;
    if (n > this.opts.maxEntries) {
      this.opts.onDrop?.(slot.listing);
      return;
    }
    this.drop(key);
    for (const oldest of this.slots.keys()) {
      if (this.entries + n <= this.opts.maxEntries) break;
      this.drop(oldest);
    }
    this.slots.set(key, slot);
    this.entries += n;
  }

  private drop(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.entries -= slot.listing.count;
    this.opts.onDrop?.(slot.listing);
  }
}

/** Index of the first entry whose cookie is greater than `cookie`. */
export function firstAfter(cookies: BigUint64Array, cookie: bigint): number {
  let lo = 0;
  let hi = cookies.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cookies[mid]! <= cookie) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
