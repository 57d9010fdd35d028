/**
 * Copies of small buffers that are kept for a long time (cached replies,
 * handles), packed into slabs of their own.
 *
 * Node hands out small buffers (`Buffer.from`, `Buffer.concat`,
 * `allocUnsafe` under 4 KiB) as views into a shared 8 KiB pool slab, and a
 * view keeps its whole slab alive. Almost everything else cut from those slabs
 * lives for one call, so every cached copy ends up pinning a slab of its own:
 * after 5,000 CREATEs the reply cache and the handle cache held 13,000 such
 * copies in 1,850 slabs, 14.8 MiB for about 2 MiB of bytes. A `Buffer.alloc`
 * per copy instead costs an ArrayBuffer and its backing store (a few hundred
 * bytes) for each handle of 30 bytes.
 *
 * Here copies made one after the other share a slab with each other only.
 * The caches that use it drop entries roughly in the order they made them
 * (oldest first, or a whole generation at once), so a slab is freed soon
 * after the entries cut from it; one entry kept longer (a hit that moves it to
 * the young generation) keeps at most one slab.
 */

export class ByteArena {
  private slab: Buffer;
  private used = 0;

  constructor(private readonly slabBytes = 32 * 1024) {
    this.slab = Buffer.allocUnsafeSlow(slabBytes);
  }

  /** A copy of `src` that shares memory only with other copies from this arena. Do not modify it. */
  copy(src: Uint8Array): Buffer {
    const out = this.take(src.length);
    out.set(src);
    return out;
  }

  /** The same for a message in segments (an encoded reply), joined into one copy. */
  concat(segments: readonly Uint8Array[]): Buffer {
    let n = 0;
    for (const s of segments) n += s.length;
    const out = this.take(n);
    let at = 0;
    for (const s of segments) {
      out.set(s, at);
      at += s.length;
    }
    return out;
  }

  private take(n: number): Buffer {
    // Larger copies get an allocation of their own, so a slab never loses more than an eighth at its end.
    if (n > this.slabBytes >>> 3) return Buffer.allocUnsafeSlow(n);
    if (this.used + n > this.slabBytes) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    // 8-byte steps keep each copy aligned for whoever reads wide fields from it.
    this.used += (n + 7) & ~7;
    return out;
  }
}
