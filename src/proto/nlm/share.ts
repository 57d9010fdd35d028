/**
 * SHARE (NLMPROC4_SHARE = 20, versions 3 and 4): a DOS-style share
 * reservation on a whole file; UNSHARE (unshare.ts) takes the same types.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import {
  inDialect,
  NLM_DIALECT,
  NLM4_DIALECT,
  procedure,
  readCallerName,
  readNetobj,
  type NlmDialect,
  type XdrType,
} from './common.js';
import { FshAccess, FshMode, NlmProc } from './constants.js';
import type { NlmShare, NlmShareArgs, NlmShareRes } from './types.js';

const FOUR: ReadonlySet<number> = new Set([0, 1, 2, 3]);

/** nlm4_share: the same in every version (no offsets). */
function readShare(r: XdrReader): NlmShare {
  const callerName = readCallerName(r);
  const fh = readNetobj(r);
  const oh = readNetobj(r);
  const mode = r.enumOf<FshMode>(FOUR, 'fsh4_mode');
  const access = r.enumOf<FshAccess>(FOUR, 'fsh4_access');
  return { callerName, fh, oh, mode, access };
}

function writeShare(w: XdrWriter, s: NlmShare): void {
  w.string(s.callerName).opaque(s.fh).opaque(s.oh).u32(s.mode).u32(s.access);
}

/** nlm4_shareargs. */
export function readShareArgs(r: XdrReader): NlmShareArgs {
  const cookie = readNetobj(r);
  const share = readShare(r);
  const reclaim = r.bool();
  return { cookie, share, reclaim };
}

export function writeShareArgs(w: XdrWriter, a: NlmShareArgs): void {
  w.opaque(a.cookie);
  writeShare(w, a.share);
  w.bool(a.reclaim);
}

/** nlm4_shareres: the stat is dialect-mapped like every other reply's. */
function readShareRes(r: XdrReader, d: NlmDialect): NlmShareRes {
  const cookie = readNetobj(r);
  const stat = d.readStat(r);
  const sequence = r.i32();
  return { cookie, stat, sequence };
}

function writeShareRes(w: XdrWriter, res: NlmShareRes, d: NlmDialect): void {
  w.opaque(res.cookie);
  d.writeStat(w, res.stat);
  w.i32(res.sequence);
}

export const SHARE_ARGS: XdrType<NlmShareArgs> = { read: readShareArgs, write: writeShareArgs };
export const NLM4_SHARE_RES = inDialect(NLM4_DIALECT, readShareRes, writeShareRes);
export const NLM_SHARE_RES = inDialect(NLM_DIALECT, readShareRes, writeShareRes);

export const NLMPROC4_SHARE = procedure(NlmProc.SHARE, SHARE_ARGS, NLM4_SHARE_RES);
export const NLMPROC_SHARE = procedure(NlmProc.SHARE, SHARE_ARGS, NLM_SHARE_RES);
