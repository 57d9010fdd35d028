/**
 * The entries of one directory, with READDIR cookies that survive changes.
 *
 * Each entry gets the next insertion sequence number as its cookie, so a
 * cookie names a position that does not move when other entries come or go:
 * continuing from it lists exactly the entries added after it that still
 * exist, with nothing skipped or repeated. Cookies 1 and 2 are "." and "..".
 */

export const DOT_COOKIE = 1;
export const DOTDOT_COOKIE = 2;

export interface Entry<T> {
  readonly name: Buffer;
  readonly node: T;
  readonly cookie: number;
  removed: boolean;
}

/** Names are bytes; latin1 maps each byte to one code unit, so it is a lossless key. */
function key(name: Buffer): string {
  return name.toString('latin1');
}

export class Directory<T> {
  private readonly byName = new Map<string, Entry<T>>();
  /** Entries in cookie order; removed ones linger until compaction so positions found by binary search stay valid. */
  private order: Entry<T>[] = [];
  private removedInOrder = 0;
  private nextCookie = DOTDOT_COOKIE + 1;

  get count(): number {
    return this.byName.size;
  }

  /** The highest cookie ever handed out: anything above it was never valid here. */
  get lastCookie(): number {
    return this.nextCookie - 1;
  }

  get(name: Buffer): Entry<T> | undefined {
    return this.byName.get(key(name));
  }

  add(name: Buffer, node: T): Entry<T> {
    const entry: Entry<T> = { name: Buffer.from(name), node, cookie: this.nextCookie++, removed: false };
    this.byName.set(key(name), entry);
    this.order.push(entry);
    return entry;
  }

  remove(name: Buffer): void {
    const k = key(name);
    const entry = this.byName.get(k);
    if (!entry) return;
    this.byName.delete(k);
    entry.removed = true;
    this.removedInOrder++;
    if (this.removedInOrder > 64 && this.removedInOrder * 2 > this.order.length) {
      this.order = this.order.filter((e) => !e.removed);
      this.removedInOrder = 0;
    }
  }

  /** Up to `max` live entries whose cookie is above `cookie`, and whether they reach the end. */
  after(cookie: number, max: number): { entries: Entry<T>[]; eof: boolean } {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order[mid]!.cookie <= cookie) lo = mid + 1;
      else hi = mid;
    }
    const entries: Entry<T>[] = [];
    let i = lo;
    for (; i < this.order.length && entries.length < max; i++) {
      const e = this.order[i]!;
      if (!e.removed) entries.push(e);
    }
    while (i < this.order.length && this.order[i]!.removed) i++;
    return { entries, eof: i >= this.order.length };
  }
}
