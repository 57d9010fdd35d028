/**
 * XDR encoding (RFC 4506) into a list of segments.
 *
 * Small fields are packed into a growing scratch chunk; large opaque payloads
 * (READ data, WRITE data on the client side) are appended by reference, so a
 * reply carrying a megabyte is framed without copying the megabyte. The result
 * is handed to a socket as a gathered write.
 */

const ZERO_PAD = Buffer.alloc(4);
/** Payloads at least this large are referenced rather than copied into the chunk. */
const BY_REFERENCE = 2048;
const FIRST_CHUNK = 512;
/** Chunks double up to this size: a 64 KiB READDIRPLUS reply is a handful of segments, not thousands. */
const MAX_CHUNK = 64 * 1024;

function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}

export class XdrWriter {
  private readonly done: Buffer[] = [];
  private chunk: Buffer;
  /** The chunk as a DataView: its BigInt setters are several times faster than Buffer's (fileids, cookies, sizes). */
  private view: DataView;
  private pos = 0;
  private doneBytes = 0;
  /** The size of the next chunk; not the current chunk's length, which after a flush is only its unused tail. */
  private nextChunk: number;

  constructor(initial = FIRST_CHUNK) {
    this.chunk = Buffer.allocUnsafe(initial);
    this.view = viewOf(this.chunk);
    this.nextChunk = Math.min(Math.max(initial, 64) * 2, MAX_CHUNK);
  }

  /** Total encoded length so far. */
  get length(): number {
    return this.doneBytes + this.pos;
  }

  private room(n: number): number {
    if (this.chunk.length - this.pos < n) {
      this.flushChunk();
      this.chunk = Buffer.allocUnsafe(Math.max(n, this.nextChunk));
      this.view = viewOf(this.chunk);
      this.nextChunk = Math.min(this.nextChunk * 2, MAX_CHUNK);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private flushChunk(): void {
    if (this.pos > 0) {
      this.done.push(this.chunk.subarray(0, this.pos));
      this.doneBytes += this.pos;
      this.chunk = this.chunk.subarray(this.pos);
      this.view = viewOf(this.chunk);
      this.pos = 0;
    }
  }

  // Each write takes its offset from room() before touching this.chunk:
  // room() may swap the chunk, and `this.chunk.write(v, this.room(n))` would
  // evaluate the old chunk first.

  u32(v: number): this {
    const at = this.room(4);
    this.chunk.writeUInt32BE(v >>> 0, at);
    return this;
  }

  i32(v: number): this {
    const at = this.room(4);
    this.chunk.writeInt32BE(v | 0, at);
    return this;
  }

  bool(v: boolean): this {
    return this.u32(v ? 1 : 0);
  }

  /** Modulo 2^64, as BigInt.asUintN(64, v). */
  u64(v: bigint): this {
    const at = this.room(8);
    this.view.setBigUint64(at, v);
    return this;
  }

  /** Unsigned hyper from a non-negative safe integer. */
  u64n(v: number): this {
    const at = this.room(8);
    this.chunk.writeUInt32BE(Math.floor(v / 0x1_0000_0000) >>> 0, at);
    this.chunk.writeUInt32BE(v >>> 0, at + 4);
    return this;
  }

  /** Modulo 2^64, as BigInt.asIntN(64, v). */
  i64(v: bigint): this {
    const at = this.room(8);
    this.view.setBigInt64(at, v);
    return this;
  }

  /** Fixed-length opaque: the bytes and their padding, no length word. */
  fixedOpaque(data: Uint8Array): this {
    const pad = (4 - (data.length & 3)) & 3;
    if (data.length >= BY_REFERENCE) {
      this.flushChunk();
      this.done.push(Buffer.from(data.buffer, data.byteOffset, data.length));
      this.doneBytes += data.length;
      if (pad) {
        const at = this.room(pad);
        ZERO_PAD.copy(this.chunk, at, 0, pad);
      }
    } else {
      const at = this.room(data.length + pad);
      this.chunk.set(data, at);
      if (pad) this.chunk.fill(0, at + data.length, at + data.length + pad);
    }
    return this;
  }

  opaque(data: Uint8Array): this {
    this.u32(data.length);
    return this.fixedOpaque(data);
  }

  string(s: string): this {
    return this.opaque(Buffer.from(s, 'utf8'));
  }

  optional<T>(v: T | undefined, write: (w: XdrWriter, v: T) => void): this {
    if (v === undefined) return this.bool(false);
    this.bool(true);
    write(this, v);
    return this;
  }

  array<T>(items: readonly T[], write: (w: XdrWriter, v: T) => void): this {
    this.u32(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  /** The encoded message as segments for a gathered write. The writer must not be used afterwards. */
  segments(): Buffer[] {
    this.flushChunk();
    return this.done;
  }

  /** The encoded message as one buffer (copies when there is more than one segment). */
  toBuffer(): Buffer {
    const segs = this.segments();
    return segs.length === 1 ? segs[0]! : Buffer.concat(segs, this.doneBytes);
  }
}
