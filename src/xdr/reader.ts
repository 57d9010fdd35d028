/**
 * XDR decoding (RFC 4506) over one buffer.
 *
 * Every length that comes off the wire is checked against both a caller's bound
 * and the bytes actually left before anything is sliced, so hostile input can
 * never make us allocate more than the message we already hold. Variable-length
 * opaque data is returned as a view into the input (no copy): callers that keep
 * it past the life of the request must copy it themselves.
 */

export class XdrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XdrError';
  }
}

const TWO_32 = 0x1_0000_0000;

export class XdrReader {
  private pos: number;
  private readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n > this.end - at) throw new XdrError(`need ${n} bytes at offset ${at}, have ${this.end - at}`);
    this.pos = at + n;
    return at;
  }

  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }

  i32(): number {
    return this.buf.readInt32BE(this.need(4));
  }

  bool(): boolean {
    const v = this.u32();
    if (v > 1) throw new XdrError(`bad boolean ${v}`);
    return v === 1;
  }

  /** An enum value that must be one of `allowed` (decoders reject unknown discriminants). */
  enumOf<T extends number>(allowed: ReadonlySet<number>, what: string): T {
    const v = this.i32();
    if (!allowed.has(v)) throw new XdrError(`bad ${what} ${v}`);
    return v as T;
  }

  /** Unsigned hyper as a bigint (offsets and sizes can exceed 2^53). */
  u64(): bigint {
    return this.buf.readBigUInt64BE(this.need(8));
  }

  /** Unsigned hyper as a number when callers know 2^53 is enough (cookies are not: use u64). */
  u64n(): number {
    const at = this.need(8);
    return this.buf.readUInt32BE(at) * TWO_32 + this.buf.readUInt32BE(at + 4);
  }

  i64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }

  /** Fixed-length opaque: `n` bytes plus padding, as a view. */
  fixedOpaque(n: number): Buffer {
    const at = this.need(n + ((4 - (n & 3)) & 3));
    return this.buf.subarray(at, at + n);
  }

  /** Variable-length opaque of at most `max` bytes, as a view. */
  opaque(max: number): Buffer {
    const len = this.u32();
    if (len > max) throw new XdrError(`opaque of ${len} bytes exceeds limit ${max}`);
    return this.fixedOpaque(len);
  }

  /** A string of at most `max` bytes, decoded as UTF-8 (for names that are text by protocol, like export paths). */
  string(max: number): string {
    return this.opaque(max).toString('utf8');
  }

  /** An optional-data discriminant followed by the value when present. */
  optional<T>(read: (r: XdrReader) => T): T | undefined {
    return this.bool() ? read(this) : undefined;
  }

  /**
   * A counted array of at most `max` elements. The count is also bounded by the
   * bytes left (every element takes at least `minElementBytes`), so a forged count
   * cannot make us loop or allocate beyond the input.
   */
  array<T>(max: number, read: (r: XdrReader) => T, minElementBytes = 4): T[] {
    const n = this.u32();
    if (n > max) throw new XdrError(`array of ${n} elements exceeds limit ${max}`);
    if (n * minElementBytes > this.remaining) throw new XdrError(`array of ${n} elements is longer than the input`);
    const out: T[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = read(this);
    return out;
  }
}
