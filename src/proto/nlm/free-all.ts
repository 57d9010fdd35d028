/**
 * FREE_ALL (NLMPROC4_FREE_ALL = 23, versions 3 and 4): a client that
 * rebooted asks the server to drop every lock and share it held (those
 * taken with NM_LOCK, which no status monitor will report).
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import { procedure, VOID, type XdrType } from './common.js';
import { LM_MAXNAMELEN, NlmProc } from './constants.js';
import type { NlmNotify } from './types.js';

/**
 * nlm4_notify. RFC 1813 prints `int64 state`, an erratum: nlm_prot.x,
 * Linux and the BSDs all send a 32-bit state, as version 3's nlm_notify does.
 */
function readNotify(r: XdrReader): NlmNotify {
  const name = r.string(LM_MAXNAMELEN);
  const state = r.i32();
  return { name, state };
}

function writeNotify(w: XdrWriter, n: NlmNotify): void {
  w.string(n.name).i32(n.state);
}

const NOTIFY: XdrType<NlmNotify> = { read: readNotify, write: writeNotify };

export const NLMPROC4_FREE_ALL = procedure(NlmProc.FREE_ALL, NOTIFY, VOID);
export const NLMPROC_FREE_ALL = NLMPROC4_FREE_ALL;
