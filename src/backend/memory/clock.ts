/**
 * Nanosecond wall-clock time. Date.now() alone has millisecond resolution,
 * which would give many operations identical timestamps and hide changes
 * from clients that compare mtime/ctime; anchoring process.hrtime to the wall
 * clock once gives nanosecond steps that never go backwards within the process.
 */
import type { NfsTime3 } from '../../proto/nfs3/types.js';

const NS_PER_S = 1_000_000_000n;
const origin = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowNs(): bigint {
  return origin + process.hrtime.bigint();
}

export function toNfsTime(ns: bigint): NfsTime3 {
  return { seconds: Number(ns / NS_PER_S), nseconds: Number(ns % NS_PER_S) };
}

export function fromNfsTime(t: NfsTime3): bigint {
  return BigInt(t.seconds) * NS_PER_S + BigInt(t.nseconds);
}
