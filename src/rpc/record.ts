/**
 * Record marking for RPC over byte streams (RFC 5531 section 11).
 *
 * A record is one or more fragments, each behind a 4-byte header whose top bit
 * marks the last fragment and whose low 31 bits give its length. The decoder is
 * incremental (bytes may arrive split anywhere) and never touches a socket.
 * The whole record is bounded: a header announcing more than `maxRecord` bytes
 * is an error before a single byte of it is buffered.
 */
import { borrow, MIN_LENT } from '../xdr/lent-buffers.js';

export class RecordTooLarge extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(`RPC record of ${size} bytes exceeds limit ${limit}`);
    this.name = 'RecordTooLarge';
  }
}

const LAST_FRAGMENT = 0x8000_0000;

export class RecordDecoder {
  /** Bytes received but not yet part of a complete fragment. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Completed fragments of the record being assembled. */
  private fragments: Buffer[] = [];
  private recordBytes = 0;
  /** Bytes `pending` must reach before parsing can make progress. */
  private need = 4;

  constructor(
    private readonly maxRecord: number,
    private readonly onRecord: (record: Buffer) => void,
  ) {}

  /** Bytes held for incomplete records; bounded by maxRecord plus one header. */
  get buffered(): number {
    return this.pendingBytes + this.recordBytes;
  }

  /** Feeds bytes; calls onRecord for each complete record. Throws RecordTooLarge (the stream is then unusable). */
  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Concatenate only once the awaited header or fragment is complete, so a
    // large fragment arriving in many chunks is copied once, not once per chunk.
    while (this.pendingBytes >= this.need) {
      let buf: Buffer;
      if (this.pending.length > 1 && this.need >= MIN_LENT) {
        buf = this.takeLent(this.need);
      } else {
        buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
        this.pending = [];
        this.pendingBytes = 0;
      }
      this.parse(buf);
    }
  }

  /**
   * Exactly the awaited header and fragment, joined in a lent buffer (see
   * lent-buffers.ts) that holds nothing else, so whoever is done with the
   * record may give it back. What follows stays pending, as views.
   */
  private takeLent(n: number): Buffer {
    const out = borrow(n);
    let at = 0;
    while (at < n) {
      const c = this.pending[0]!;
      const k = Math.min(c.length, n - at);
      out.set(k === c.length ? c : c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.pending.shift();
      else this.pending[0] = c.subarray(k);
    }
    this.pendingBytes -= n;
    return out;
  }

  /** Parses `buf`, whose bytes come before anything still pending. */
  private parse(buf: Buffer): void {
    let at = 0;
    for (;;) {
      if (buf.length - at < 4) {
        this.need = 4;
        break;
      }
      const header = buf.readUInt32BE(at);
      const len = header & 0x7fff_ffff;
      if (this.recordBytes + len > this.maxRecord) throw new RecordTooLarge(this.recordBytes + len, this.maxRecord);
      if (buf.length - at - 4 < len) {
        this.need = 4 + len;
        break;
      }
      const fragment = buf.subarray(at + 4, at + 4 + len);
      at += 4 + len;
      if ((header & LAST_FRAGMENT) === 0) {
        this.fragments.push(fragment);
        this.recordBytes += len;
      } else if (this.fragments.length === 0) {
        this.onRecord(fragment);
      } else {
        this.fragments.push(fragment);
        const record = Buffer.concat(this.fragments, this.recordBytes + len);
        this.fragments = [];
        this.recordBytes = 0;
        this.onRecord(record);
      }
    }
    if (at < buf.length) {
      this.pending.unshift(buf.subarray(at));
      this.pendingBytes += buf.length - at;
    }
  }
}

/** The 4-byte header for a record sent as a single fragment. */
export function recordHeader(length: number): Buffer {
  const h = Buffer.allocUnsafe(4);
  h.writeUInt32BE((LAST_FRAGMENT | length) >>> 0, 0);
  return h;
}
