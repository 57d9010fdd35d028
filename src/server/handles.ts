/**
 * NFS file handles as clients see them: the backend's handle wrapped with the
 * export it belongs to and a MAC under a per-server secret.
 *
 *   0      1      2      4          8            8+L      pad    +8
 *   | ver  | L    | 0 0  | exportId | backend(L) | 0..3   | MAC(8) |
 *
 * The MAC makes handles unforgeable: a client cannot reach a file (or an
 * export) it was never given a handle for, even though the backend's own
 * handles (inode + generation) are guessable. The secret lives in the state
 * directory, so handles survive restarts. Lengths stay multiples of 4.
 *
 * Clients send the same few handles over and over (and READDIRPLUS issues
 * hundreds per reply), so results are remembered: a handle whose MAC was
 * verified once is recognised again by its exact bytes, and an issued handle
 * is reused for the same (export, backend handle). Exact-byte keys make a hit
 * equivalent to computing the MAC again; both maps are bounded.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_BACKEND_HANDLE } from '../backend/backend.js';
import { NfsError } from '../backend/errors.js';
import { NFS3_FHSIZE, NfsStat3 } from '../proto/nfs3/constants.js';
import { ByteArena } from '../xdr/byte-arena.js';

const VERSION = 1;
const HEADER = 8;
const MAC_BYTES = 8;

export interface DecodedHandle {
  exportId: number;
  backendHandle: Buffer;
}

/** Entries per generation of each cache (so at most twice this many are kept). */
const CACHE_GENERATION = 8192;

/**
 * A bounded map in two generations: inserts go to the young one; when it is
 * full it becomes the old one and the previous old one is dropped. Hits in the
 * old generation move to the young one. Approximately LRU, without the
 * delete-and-reinsert on every hit that an exact LRU needs.
 */
class GenerationalCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly generation: number) {}

  get(key: string): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}

export class HandleCodec {
  /** Verified handle bytes (latin1) → what they decode to. */
  private readonly verified = new GenerationalCache<DecodedHandle>(CACHE_GENERATION);
  /** exportId + ':' + backend handle (latin1) → the handle issued for them. */
  private readonly issued = new GenerationalCache<Buffer>(CACHE_GENERATION);
  /**
   * The same by the backend handle object itself, for callers that say the
   * Buffer recurs (READDIRPLUS: a backend that keeps its listings, as the
   * local one, passes the same Buffer again): no key to build, no MAC.
   */
  private readonly issuedFor = new WeakMap<Buffer, { exportId: number; fh: Buffer }>();
  /** Where the cached handles' bytes live (both caches drop a generation at a time). */
  private readonly bytes = new ByteArena();

  constructor(private readonly secret: Buffer) {
    if (secret.length < 16) throw new Error('handle secret must be at least 16 bytes');
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(body).digest().subarray(0, MAC_BYTES);
  }

  /**
   * The returned buffer may be shared with other callers: do not modify it.
   * `recurs`: the same `backendHandle` Buffer is likely to be encoded again,
   * so the result is also remembered for that object (which must then not be
   * modified either); pointless, and not free, for a Buffer made per call.
   */
  encode(exportId: number, backendHandle: Buffer, recurs = false): Buffer {
    if (!recurs) return this.encodeByValue(exportId, backendHandle);
    const mine = this.issuedFor.get(backendHandle);
    if (mine !== undefined && mine.exportId === exportId) return mine.fh;
    const fh = this.encodeByValue(exportId, backendHandle);
    this.issuedFor.set(backendHandle, { exportId, fh });
    return fh;
  }

  private encodeByValue(exportId: number, backendHandle: Buffer): Buffer {
    const len = backendHandle.length;
    if (len > MAX_BACKEND_HANDLE) throw new Error(`backend handle of ${len} bytes exceeds ${MAX_BACKEND_HANDLE}`);
    const key = `${exportId >>> 0}:${backendHandle.toString('latin1')}`;
    const known = this.issued.get(key);
    if (known) return known;
    const bodyLen = HEADER + len + ((4 - (len & 3)) & 3);
    const body = Buffer.allocUnsafe(bodyLen).fill(0);
    body[0] = VERSION;
    body[1] = len;
    body.writeUInt32BE(exportId >>> 0, 4);
    backendHandle.copy(body, HEADER);
    const fh = this.bytes.concat([body, this.mac(body)]);
    this.issued.set(key, fh);
    return fh;
  }

  /** Throws NfsError(BADHANDLE) for anything this server did not issue. The result may be shared: do not modify it. */
  decode(fh: Buffer): DecodedHandle {
    // Bounded before the key is built: longer input is rejected below without being cached.
    const key = fh.length <= NFS3_FHSIZE ? fh.toString('latin1') : undefined;
    const known = key === undefined ? undefined : this.verified.get(key);
    if (known) return known;
    if (fh.length < HEADER + MAC_BYTES || fh.length > NFS3_FHSIZE || fh[0] !== VERSION) {
      throw new NfsError(NfsStat3.BADHANDLE);
    }
    const len = fh[1]!;
    const bodyLen = HEADER + len + ((4 - (len & 3)) & 3);
    if (bodyLen + MAC_BYTES !== fh.length) throw new NfsError(NfsStat3.BADHANDLE);
    if (!timingSafeEqual(this.mac(fh.subarray(0, bodyLen)), fh.subarray(bodyLen))) {
      throw new NfsError(NfsStat3.BADHANDLE);
    }
    // A copy: `fh` is usually a view into a request buffer that is reused once the call is done.
    const decoded = { exportId: fh.readUInt32BE(4), backendHandle: this.bytes.copy(fh.subarray(HEADER, HEADER + len)) };
    this.verified.set(key!, decoded);
    return decoded;
  }
}
