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
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_BACKEND_HANDLE } from '../backend/backend.js';
import { NfsError } from '../backend/errors.js';
import { NFS3_FHSIZE, NfsStat3 } from '../proto/nfs3/constants.js';

const VERSION = 1;
const HEADER = 8;
const MAC_BYTES = 8;

export interface DecodedHandle {
  exportId: number;
  backendHandle: Buffer;
}

export class HandleCodec {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 16) throw new Error('handle secret must be at least 16 bytes');
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(body).digest().subarray(0, MAC_BYTES);
  }

  encode(exportId: number, backendHandle: Buffer): Buffer {
    const len = backendHandle.length;
    if (len > MAX_BACKEND_HANDLE) throw new Error(`backend handle of ${len} bytes exceeds ${MAX_BACKEND_HANDLE}`);
    const bodyLen = HEADER + len + ((4 - (len & 3)) & 3);
    const fh = Buffer.alloc(bodyLen + MAC_BYTES);
    fh[0] = VERSION;
    fh[1] = len;
    fh.writeUInt32BE(exportId >>> 0, 4);
    backendHandle.copy(fh, HEADER);
    this.mac(fh.subarray(0, bodyLen)).copy(fh, bodyLen);
    return fh;
  }

  /** Throws NfsError(BADHANDLE) for anything this server did not issue. */
  decode(fh: Buffer): DecodedHandle {
    if (fh.length < HEADER + MAC_BYTES || fh.length > NFS3_FHSIZE || fh[0] !== VERSION) {
      throw new NfsError(NfsStat3.BADHANDLE);
    }
    const len = fh[1]!;
    const bodyLen = HEADER + len + ((4 - (len & 3)) & 3);
    if (bodyLen + MAC_BYTES !== fh.length) throw new NfsError(NfsStat3.BADHANDLE);
    if (!timingSafeEqual(this.mac(fh.subarray(0, bodyLen)), fh.subarray(bodyLen))) {
      throw new NfsError(NfsStat3.BADHANDLE);
    }
    return { exportId: fh.readUInt32BE(4), backendHandle: fh.subarray(HEADER, HEADER + len) };
  }
}
