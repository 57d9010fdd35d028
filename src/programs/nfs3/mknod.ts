/**
 * MKNOD (RFC 1813 section 3.3.11). Only devices, sockets and FIFOs: regular
 * files, directories and links have their own procedures, so those types
 * are NFS3ERR_BADTYPE, as the RFC says.
 */
import type { CreatedResult } from '../../backend/backend.js';
import { NfsError } from '../../backend/errors.js';
import { Ftype3, NfsStat3 } from '../../proto/nfs3/constants.js';
import { MKNOD, type MknodArgs, type MknodData3, type MknodResult } from '../../proto/nfs3/mknod.js';
import type { Procedure } from '../program.js';
import { makeEntry } from './new-entry.js';
import type { Nfs3Support, Target } from './support.js';

function makeNode(t: Target, name: Buffer, what: MknodData3): Promise<CreatedResult> {
  switch (what.type) {
    case Ftype3.CHR:
    case Ftype3.BLK:
      return t.backend.mknod(t.handle, name, what.type, what.device.devAttributes, what.device.spec, t.op);
    case Ftype3.SOCK:
    case Ftype3.FIFO:
      return t.backend.mknod(t.handle, name, what.type, what.pipeAttributes, undefined, t.op);
    default:
      throw new NfsError(NfsStat3.BADTYPE);
  }
}

export function mknod(s: Nfs3Support): Procedure<MknodArgs, MknodResult> {
  return {
    codec: MKNOD,
    handle: ({ where, what }, call) => makeEntry(s, MKNOD.name, where, call, (t) => makeNode(t, where.name, what)),
  };
}
