/**
 * The bytes of one regular file, kept in fixed-size chunks so that holes cost
 * nothing and a write in the middle of a large file copies only what it
 * touches. A chunk's buffer may be shorter than CHUNK: the missing tail reads
 * as zeros, so a small file does not pay for a whole chunk.
 */

const CHUNK = 64 * 1024;
/** Chunk buffers grow in steps of at least this, so appending small writes does not copy on every call. */
const MIN_ALLOC = 512;

function capacityFor(current: number, needed: number): number {
  if (needed <= current) return current;
  const doubled = Math.max(needed, current * 2, MIN_ALLOC);
  return Math.min(CHUNK, Math.ceil(doubled / MIN_ALLOC) * MIN_ALLOC);
}

export class FileData {
  private readonly chunks = new Map<number, Buffer>();
  size = 0;
  /** Bytes held in chunk buffers: what counts against the backend's byte cap. */
  allocated = 0;

  /** The bytes a write of `length` at `offset` would add to `allocated`, so the cap can be checked before anything changes. */
  growthFor(offset: number, length: number): number {
    let growth = 0;
    this.forEachSpan(offset, length, (index, inner, span) => {
      const current = this.chunks.get(index)?.length ?? 0;
      growth += capacityFor(current, inner + span) - current;
    });
    return growth;
  }

  write(offset: number, data: Buffer): void {
    let consumed = 0;
    this.forEachSpan(offset, data.length, (index, inner, span) => {
      const chunk = this.chunkWithCapacity(index, inner + span);
      data.copy(chunk, inner, consumed, consumed + span);
      consumed += span;
    });
    this.size = Math.max(this.size, offset + data.length);
  }

  /** A fresh buffer: callers may keep it while the file changes. */
  read(offset: number, count: number): Buffer {
    const length = Math.max(0, Math.min(count, this.size - offset));
    const out = Buffer.alloc(length);
    let produced = 0;
    this.forEachSpan(offset, length, (index, inner, span) => {
      const chunk = this.chunks.get(index);
      if (chunk && inner < chunk.length) chunk.copy(out, produced, inner, Math.min(chunk.length, inner + span));
      produced += span;
    });
    return out;
  }

  /** Sets the size; bytes past a shrink are dropped so that growing again reads zeros there. */
  truncate(size: number): void {
    if (size < this.size) {
      for (const [index, chunk] of this.chunks) {
        const start = index * CHUNK;
        if (start >= size) {
          this.chunks.delete(index);
          this.allocated -= chunk.length;
        } else if (start + chunk.length > size) {
          chunk.fill(0, size - start);
        }
      }
    }
    this.size = size;
  }

  private chunkWithCapacity(index: number, needed: number): Buffer {
    const current = this.chunks.get(index);
    const capacity = capacityFor(current?.length ?? 0, needed);
    if (current && capacity === current.length) return current;
    const grown = Buffer.alloc(capacity);
    current?.copy(grown);
    this.allocated += capacity - (current?.length ?? 0);
    this.chunks.set(index, grown);
    return grown;
  }

  /** Calls `fn` for each chunk overlapping [offset, offset+length) with the offset inside the chunk and the span length. */
  private forEachSpan(offset: number, length: number, fn: (index: number, inner: number, span: number) => void): void {
    let at = offset;
    const end = offset + length;
    while (at < end) {
      const index = Math.floor(at / CHUNK);
      const inner = at - index * CHUNK;
      const span = Math.min(CHUNK - inner, end - at);
      fn(index, inner, span);
      at += span;
    }
  }
}
