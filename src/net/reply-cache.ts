import { ByteArena } from '../xdr/byte-arena.js';

/**
 * The duplicate request cache (knfsd's nfsd_cache, RFC 1813 section 4.1 on
 * retransmissions): a client that does not hear a reply resends the call with
 * the same xid. For a non-idempotent procedure, executing it twice is wrong —
 * a retried REMOVE would answer NOENT for a file it did remove, a retried
 * GUARDED CREATE would answer EXIST for the file it created. So such a call's
 * reply is kept for a while, and a retransmission gets it again; one that
 * arrives while the original is still running is dropped (the client will
 * resend once more and find the reply).
 *
 * A call is recognised by client address, xid, program, version, procedure
 * and a checksum of the first bytes of its arguments (as knfsd does), so a
 * reused xid with other arguments is a new call. The source port is left out
 * on purpose: a client that reconnects over TCP may come from another port.
 */

export interface ReplyCacheOptions {
  /** Entries kept at most (oldest evicted first). */
  maxEntries: number;
  /** How long a reply stays retransmittable. */
  ttlMs: number;
}

export const DEFAULT_REPLY_CACHE: ReplyCacheOptions = { maxEntries: 8192, ttlMs: 120_000 };

/** Bytes of the arguments that enter the checksum: enough to tell calls apart, cheap for big ones. */
const CHECKSUM_BYTES = 256;

type Entry = { state: 'running'; at: number } | { state: 'done'; at: number; reply: Buffer };

export type Lookup = { kind: 'new' } | { kind: 'running' } | { kind: 'replay'; reply: Buffer };

/** FNV-1a over the first bytes of the arguments, with their length. */
function checksum(args: Buffer): number {
  let h = 0x811c9dc5 ^ args.length;
  const n = Math.min(args.length, CHECKSUM_BYTES);
  for (let i = 0; i < n; i++) h = Math.imul(h ^ args[i]!, 0x01000193);
  return h >>> 0;
}

export function replyCacheKey(address: string, xid: number, prog: number, vers: number, proc: number, args: Buffer): string {
  return `${address}/${xid}/${prog}/${vers}/${proc}/${checksum(args)}`;
}

export class ReplyCache {
  private readonly entries = new Map<string, Entry>();
  /** Replies are evicted oldest first, so slabs of copies made one after the other are freed together. */
  private readonly bytes = new ByteArena();

  constructor(
    private readonly opts: ReplyCacheOptions = DEFAULT_REPLY_CACHE,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Looks the call up; a new call is recorded as running. */
  begin(key: string): Lookup {
    const now = this.now();
    const e = this.entries.get(key);
    if (e && now - e.at < this.opts.ttlMs) {
      return e.state === 'running' ? { kind: 'running' } : { kind: 'replay', reply: e.reply };
    }
    this.entries.delete(key);
    this.entries.set(key, { state: 'running', at: now });
    this.evict(now);
    return { kind: 'new' };
  }

  /** Records the reply (its segments, copied) of a call begun with begin(). */
  finish(key: string, reply: readonly Uint8Array[]): void {
    if (this.entries.has(key)) this.entries.set(key, { state: 'done', at: this.now(), reply: this.bytes.concat(reply) });
  }

  /** Forgets a call that produced no reply (dropped), so a retransmission runs it. */
  abandon(key: string): void {
    this.entries.delete(key);
  }

  /** Map iteration order is insertion order: the oldest entries are first. */
  private evict(now: number): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.opts.maxEntries && now - e.at < this.opts.ttlMs) break;
      this.entries.delete(key);
    }
  }
}
