/**
 * The status monitor's procedures (sm_inter.x, program 100024 version 1).
 * SM_UNMON and SM_UNMON_ALL reply a bare `sm_stat` struct, whose only field
 * is the state number: decoded as that number.
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import { NULL_CODEC, type ProcedureCodec } from '../procedure.js';
import { SM_MAXSTRLEN, SM_PRIV_SIZE, SmProc, SmRes } from './constants.js';
import type { Mon, MonId, MyId, SmStatRes, SmStatus, StatChange } from './types.js';

const RES: ReadonlySet<number> = new Set([SmRes.SUCC, SmRes.FAIL]);

function readName(r: XdrReader): string {
  return r.string(SM_MAXSTRLEN);
}

function writeName(w: XdrWriter, name: string): void {
  w.string(name);
}

function readPriv(r: XdrReader): Buffer {
  return r.fixedOpaque(SM_PRIV_SIZE);
}

/** Refuses any other length: a short priv would shift everything after it. */
function writePriv(w: XdrWriter, priv: Buffer): void {
  if (priv.length !== SM_PRIV_SIZE) throw new RangeError(`priv of ${priv.length} bytes, need ${SM_PRIV_SIZE}`);
  w.fixedOpaque(priv);
}

export function readMyId(r: XdrReader): MyId {
  const myName = readName(r);
  const myProg = r.u32();
  const myVers = r.u32();
  const myProc = r.u32();
  return { myName, myProg, myVers, myProc };
}

export function writeMyId(w: XdrWriter, id: MyId): void {
  w.string(id.myName).u32(id.myProg).u32(id.myVers).u32(id.myProc);
}

export function readMonId(r: XdrReader): MonId {
  const monName = readName(r);
  const myId = readMyId(r);
  return { monName, myId };
}

export function writeMonId(w: XdrWriter, m: MonId): void {
  w.string(m.monName);
  writeMyId(w, m.myId);
}

export function readMon(r: XdrReader): Mon {
  const monId = readMonId(r);
  const priv = readPriv(r);
  return { monId, priv };
}

export function writeMon(w: XdrWriter, m: Mon): void {
  writeMonId(w, m.monId);
  writePriv(w, m.priv);
}

export function readSmStatRes(r: XdrReader): SmStatRes {
  const res = r.enumOf<SmRes>(RES, 'res');
  const state = r.i32();
  return { res, state };
}

export function writeSmStatRes(w: XdrWriter, s: SmStatRes): void {
  w.u32(s.res).i32(s.state);
}

function readState(r: XdrReader): number {
  return r.i32();
}

function writeState(w: XdrWriter, state: number): void {
  w.i32(state);
}

export function readStatChange(r: XdrReader): StatChange {
  const monName = readName(r);
  const state = r.i32();
  return { monName, state };
}

export function writeStatChange(w: XdrWriter, s: StatChange): void {
  w.string(s.monName).i32(s.state);
}

/**
 * status: what statd sends to my_id's procedure when a monitored host
 * reboots (Linux lockd registers NLM program, version 3, procedure 16,
 * its private NLMPROC_NSM_NOTIFY).
 */
export function readSmStatus(r: XdrReader): SmStatus {
  const monName = readName(r);
  const state = r.i32();
  const priv = readPriv(r);
  return { monName, state, priv };
}

export function writeSmStatus(w: XdrWriter, s: SmStatus): void {
  w.string(s.monName).i32(s.state);
  writePriv(w, s.priv);
}

const voidArgs = { readArgs() {}, writeArgs() {} };
const voidResult = { readResult() {}, writeResult() {} };

export const SM_NULL: ProcedureCodec<void, void> = NULL_CODEC;

/** The argument is sm_name: the host whose monitoring is asked about. */
export const SM_STAT: ProcedureCodec<string, SmStatRes> = {
  proc: SmProc.STAT,
  name: 'STAT',
  readArgs: readName,
  writeArgs: writeName,
  readResult: readSmStatRes,
  writeResult: writeSmStatRes,
};

export const SM_MON: ProcedureCodec<Mon, SmStatRes> = {
  proc: SmProc.MON,
  name: 'MON',
  readArgs: readMon,
  writeArgs: writeMon,
  readResult: readSmStatRes,
  writeResult: writeSmStatRes,
};

/** The result is sm_stat's state. */
export const SM_UNMON: ProcedureCodec<MonId, number> = {
  proc: SmProc.UNMON,
  name: 'UNMON',
  readArgs: readMonId,
  writeArgs: writeMonId,
  readResult: readState,
  writeResult: writeState,
};

/** The result is sm_stat's state. */
export const SM_UNMON_ALL: ProcedureCodec<MyId, number> = {
  proc: SmProc.UNMON_ALL,
  name: 'UNMON_ALL',
  readArgs: readMyId,
  writeArgs: writeMyId,
  readResult: readState,
  writeResult: writeState,
};

export const SM_SIMU_CRASH: ProcedureCodec<void, void> = {
  proc: SmProc.SIMU_CRASH,
  name: 'SIMU_CRASH',
  ...voidArgs,
  ...voidResult,
};

export const SM_NOTIFY: ProcedureCodec<StatChange, void> = {
  proc: SmProc.NOTIFY,
  name: 'NOTIFY',
  readArgs: readStatChange,
  writeArgs: writeStatChange,
  ...voidResult,
};

/** Every SM version 1 codec keyed by procedure name (SmProc), for building a handler table. */
export const NSM_CODECS = Object.freeze({
  NULL: SM_NULL,
  STAT: SM_STAT,
  MON: SM_MON,
  UNMON: SM_UNMON,
  UNMON_ALL: SM_UNMON_ALL,
  SIMU_CRASH: SM_SIMU_CRASH,
  NOTIFY: SM_NOTIFY,
});
