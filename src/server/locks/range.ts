/**
 * Byte ranges and lock owners of the NLM lock manager, free of wire types so the
 * lock state can be used and tested on its own.
 */

/** Who holds a lock: NLM's (caller_name, svid, oh). Equal iff host ===, svid ===, oh bytes equal. */
export interface LockOwner {
  host: string;
  svid: number;
  oh: Buffer;
}

/** [start, end) over unsigned 64-bit offsets; end === RANGE_END (2n**64n) means to end of file and beyond. */
export interface ByteRange {
  start: bigint;
  end: bigint;
}

/** One past the last 64-bit offset: a range ending here covers every later offset too. */
export const RANGE_END = 2n ** 64n;

/** NLM's (offset, length): length 0 = to end; an offset+length past 2^64 runs to end (as knfsd clamps). */
export function rangeOf(offset: bigint, length: bigint): ByteRange {
  const end = offset + length;
  return { start: offset, end: length === 0n || end > RANGE_END ? RANGE_END : end };
}

/** Back to NLM (offset, length) for a TEST holder reply: to-end → length 0. */
export function offsetLengthOf(r: ByteRange): { offset: bigint; length: bigint } {
  return { offset: r.start, length: r.end === RANGE_END ? 0n : r.end - r.start };
}

export function overlaps(a: ByteRange, b: ByteRange): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Overlapping or touching end to start: ranges one lock may be merged from. */
export function touches(a: ByteRange, b: ByteRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function sameRange(a: ByteRange, b: ByteRange): boolean {
  return a.start === b.start && a.end === b.end;
}

export function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.host === b.host && a.svid === b.svid && a.oh.equals(b.oh);
}

/**
 * The table keeps owners for as long as a lock lives, while a decoded `oh` is a
 * view into the call's receive buffer: copy it so the buffer is neither pinned
 * nor read after reuse.
 */
export function ownOwner(o: LockOwner): LockOwner {
  return { host: o.host, svid: o.svid, oh: Buffer.from(o.oh) };
}
