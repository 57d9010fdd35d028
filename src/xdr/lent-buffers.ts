/**
 * Large buffers lent out and given back once the TCP transport has written
 * the reply of their call, so the next call reuses one instead of allocating:
 * READ data (the local backend reads into one) and WRITE records joined from
 * several socket chunks (rpc/record.ts).
 *
 * A megabyte READ reply is garbage as soon as the socket has taken it, but
 * its memory comes back only when V8 next collects the Buffer object that
 * holds it, and a small JS object per megabyte fills the young generation
 * slowly: under sequential reads 20–40 MiB of such garbage waited for a
 * scavenge, on top of everything else the process holds at its peak, and each
 * fresh megabyte cost its page faults again.
 *
 * Only buffers this module lent are taken back (`giveBack` ignores every
 * other buffer), and a buffer must be given back at most once, by whoever
 * wrote the last view of it; a buffer never given back is simply collected.
 */

/** Smaller payloads come from Node's own pool (or are small enough not to matter). */
export const MIN_LENT = 64 * 1024;
/** Spare buffers kept for reuse, in bytes; more are left to the collector. */
const MAX_SPARE_BYTES = 8 * 1024 * 1024;
/** Spares unused this long are dropped, so a quiet server does not keep them. */
const SPARE_LIFETIME_MS = 2000;

/** Lent buffers, by their memory: a view of it is what comes back. */
const lent = new WeakSet<ArrayBuffer>();
/** Spares by size class (multiples of MIN_LENT). */
const spares = new Map<number, ArrayBuffer[]>();
let spareBytes = 0;
let lastTaken = 0;
let sweeper: NodeJS.Timeout | undefined;

function sizeClass(n: number): number {
  return Math.ceil(n / MIN_LENT) * MIN_LENT;
}

/** A Buffer of `n` bytes, uninitialised; one of at least MIN_LENT bytes may be a reused one. */
export function borrow(n: number): Buffer {
  if (n < MIN_LENT) return Buffer.allocUnsafe(n);
  lastTaken = Date.now();
  const c = sizeClass(n);
  let ab = spares.get(c)?.pop();
  if (ab !== undefined) spareBytes -= c;
  else ab = Buffer.allocUnsafeSlow(c).buffer;
  lent.add(ab);
  return Buffer.from(ab, 0, n);
}

/** Whether `b` may be a view of a lent buffer (cheap: worth calling giveBack for). */
export function mayBeLent(b: Uint8Array): boolean {
  return b.buffer.byteLength >= MIN_LENT;
}

/** Once nothing will read `b` (nor any other view of its memory) again: reuses it if borrow() lent it. */
export function giveBack(b: Uint8Array): void {
  const ab = b.buffer;
  if (ab.byteLength < MIN_LENT || !(ab instanceof ArrayBuffer) || !lent.delete(ab)) return;
  const c = ab.byteLength;
  // Room is made by dropping spares of other sizes first: the size in use now is the one worth keeping.
  for (const [other, list] of spares) {
    while (spareBytes + c > MAX_SPARE_BYTES && other !== c && list.pop() !== undefined) spareBytes -= other;
  }
  if (spareBytes + c > MAX_SPARE_BYTES) return;
  let list = spares.get(c);
  if (list === undefined) spares.set(c, (list = []));
  list.push(ab);
  spareBytes += c;
  sweeper ??= setTimeout(sweep, SPARE_LIFETIME_MS).unref();
}

function sweep(): void {
  sweeper = undefined;
  if (spareBytes === 0) return;
  if (Date.now() - lastTaken >= SPARE_LIFETIME_MS) {
    spares.clear();
    spareBytes = 0;
    return;
  }
  sweeper = setTimeout(sweep, SPARE_LIFETIME_MS).unref();
}
