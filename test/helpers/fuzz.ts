/**
 * Deterministic mutation fuzzing without dependencies: a seeded xorshift32
 * generator and byte-level mutators aimed at XDR (4-byte words, length
 * prefixes). The same seed always gives the same inputs, so a failure
 * reproduces from the seed and iteration printed by the test.
 */

export class Rng {
  private s: number;

  constructor(seed: number) {
    // xorshift32 has a fixed point at 0.
    this.s = seed >>> 0 || 0x9e37_79b9;
  }

  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }

  /** 0 <= n < bound. */
  int(bound: number): number {
    return bound <= 0 ? 0 : this.u32() % bound;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}

/** Word values that make length prefixes and counts hostile. */
const HOSTILE_WORDS = [0xffff_ffff, 0x7fff_ffff, 0x8000_0000, 0x0010_0001, 0x0000_1001, 0x0000_0100, 0];

type Mutator = (b: Buffer, rng: Rng) => Buffer;

const MUTATORS: readonly Mutator[] = [
  // Flip one byte.
  (b, rng) => {
    if (b.length === 0) return b;
    const c = Buffer.from(b);
    c[rng.int(c.length)] ^= 1 + rng.int(255);
    return c;
  },
  // Truncate.
  (b, rng) => b.subarray(0, rng.int(b.length + 1)),
  // Insert random bytes.
  (b, rng) => {
    const at = rng.int(b.length + 1);
    return Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(12)), b.subarray(at)]);
  },
  // Inflate a length field: an aligned word becomes huge (or zero).
  (b, rng) => {
    if (b.length < 4) return b;
    const c = Buffer.from(b);
    c.writeUInt32BE(rng.pick(HOSTILE_WORDS), 4 * rng.int(c.length >>> 2));
    return c;
  },
  // Duplicate a slice in place (repeated list entries, doubled fields).
  (b, rng) => {
    const from = rng.int(b.length + 1);
    const to = from + rng.int(b.length - from + 1);
    return Buffer.concat([b.subarray(0, to), b.subarray(from, to), b.subarray(to)]);
  },
];

/** One to three mutations of `seed` (never modified itself). */
export function mutate(seed: Buffer, rng: Rng): Buffer {
  let b = seed;
  for (let n = 1 + rng.int(3); n > 0; n--) b = rng.pick(MUTATORS)(b, rng);
  return b;
}
