/** NSM (sm_inter.x, program 100024 version 1): fixtures for every procedure, properties for every codec. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SM_MAXSTRLEN, SM_PRIV_SIZE, SmProc, SmRes } from '../../../src/proto/nsm/constants.js';
import {
  NSM_CODECS,
  readSmStatus,
  SM_MON,
  SM_NOTIFY,
  SM_NULL,
  SM_SIMU_CRASH,
  SM_STAT,
  SM_UNMON,
  SM_UNMON_ALL,
  writeSmStatus,
} from '../../../src/proto/nsm/sm.js';
import type { Mon, MonId, MyId, SmStatRes, SmStatus, StatChange } from '../../../src/proto/nsm/types.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import { XdrWriter } from '../../../src/xdr/writer.js';
import {
  checkArgsFixture,
  checkCodecProperties,
  checkDirectionProperties,
  checkFixture,
  checkResultFixture,
  decodeAll,
  encodeWith,
  hex,
} from '../../helpers/codec-properties.js';
import { bytes, u32 } from '../../helpers/nfs3-arbitraries.js';

const PRIV = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const PRIV_HEX = `00010203 04050607 08090a0b 0c0d0e0f  // priv: 16 bytes, no length word\n`;

const MY_ID_HEX = `
  00000002 6d650000  // my_name "me"
  000186b5  // my_prog 100021 (NLM)
  00000003  // my_vers 3
  00000010  // my_proc 16
`;
const MY_ID: MyId = { myName: 'me', myProg: 100021, myVers: 3, myProc: 16 };
const MON_ID_HEX = `00000005 686f7374 61000000  // mon_name "hosta"\n${MY_ID_HEX}`;
const MON_ID: MonId = { monName: 'hosta', myId: MY_ID };

describe('SM_STAT', () => {
  checkArgsFixture(SM_STAT, 'sm_name', hex`00000005 686f7374 61000000 // mon_name "hosta"`, 'hosta');
  const succ = hex`
    00000000  // res stat_succ
    00000003  // state 3
  `;
  checkResultFixture(SM_STAT, 'stat_succ', succ, { res: SmRes.SUCC, state: 3 });
  test('a res outside stat_succ/stat_fail is refused', () => {
    assert.throws(() => SM_STAT.readResult(new XdrReader(hex`00000002 00000003`)), XdrError);
  });
});

describe('SM_MON', () => {
  checkArgsFixture(SM_MON, 'mon', hex`${MON_ID_HEX}${PRIV_HEX}`, { monId: MON_ID, priv: PRIV });
  const fail = hex`
    00000001  // res stat_fail
    ffffffff  // state -1
  `;
  checkResultFixture(SM_MON, 'stat_fail', fail, { res: SmRes.FAIL, state: -1 });
  test('a priv of any other length than 16 is refused', () => {
    assert.throws(() => SM_MON.writeArgs(new XdrWriter(), { monId: MON_ID, priv: Buffer.alloc(15) }), RangeError);
  });
});

describe('SM_UNMON', () => {
  checkArgsFixture(SM_UNMON, 'mon_id', hex(MON_ID_HEX), MON_ID);
  checkResultFixture(SM_UNMON, 'sm_stat', hex`00000007 // state 7`, 7);
});

describe('SM_UNMON_ALL', () => {
  checkArgsFixture(SM_UNMON_ALL, 'my_id', hex(MY_ID_HEX), MY_ID);
  checkResultFixture(SM_UNMON_ALL, 'sm_stat', hex`00000009 // state 9`, 9);
});

describe('SM_SIMU_CRASH', () => {
  checkArgsFixture(SM_SIMU_CRASH, 'void', hex``, undefined);
  checkResultFixture(SM_SIMU_CRASH, 'void', hex``, undefined);
});

describe('SM_NOTIFY', () => {
  checkArgsFixture(SM_NOTIFY, 'stat_chge', hex`00000005 686f7374 61000000 // mon_name "hosta"\n 0000000b // state 11`, {
    monName: 'hosta',
    state: 11,
  });
  checkResultFixture(SM_NOTIFY, 'void', hex``, undefined);
});

describe('status (the callback to my_id)', () => {
  const status: SmStatus = { monName: 'hosta', state: 5, priv: PRIV };
  checkFixture('status', readSmStatus, writeSmStatus, hex`
    00000005 686f7374 61000000  // mon_name "hosta"
    00000005  // state 5
    ${PRIV_HEX}`, status);
});

test('host names are bounded by SM_MAXSTRLEN', () => {
  const notify = (n: number) => encodeWith(SM_NOTIFY.writeArgs, { monName: 'h'.repeat(n), state: 1 });
  decodeAll(SM_NOTIFY.readArgs, notify(SM_MAXSTRLEN));
  assert.throws(() => SM_NOTIFY.readArgs(new XdrReader(notify(SM_MAXSTRLEN + 1))), XdrError);
  const unmonAll = encodeWith(SM_UNMON_ALL.writeArgs, { ...MY_ID, myName: 'h'.repeat(SM_MAXSTRLEN + 1) });
  assert.throws(() => SM_UNMON_ALL.readArgs(new XdrReader(unmonAll)), XdrError);
});

test('the table holds every procedure under its name', () => {
  for (const [key, codec] of Object.entries(NSM_CODECS)) {
    assert.equal(codec.name, key);
    assert.equal(codec.proc, SmProc[key as keyof typeof SmProc]);
  }
  assert.equal(Object.keys(NSM_CODECS).length, 7);
});

describe('NSM codec properties', () => {
  const none = fc.constant(undefined);
  const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  const name = fc.string({ maxLength: 30 });
  const priv = bytes(SM_PRIV_SIZE, SM_PRIV_SIZE);
  const myId: fc.Arbitrary<MyId> = fc.record({ myName: name, myProg: u32, myVers: u32, myProc: u32 });
  const monId: fc.Arbitrary<MonId> = fc.record({ monName: name, myId });
  const mon: fc.Arbitrary<Mon> = fc.record({ monId, priv });
  const statRes: fc.Arbitrary<SmStatRes> = fc.record({ res: fc.constantFrom(SmRes.SUCC, SmRes.FAIL), state: int32 });
  const statChange: fc.Arbitrary<StatChange> = fc.record({ monName: name, state: int32 });
  checkCodecProperties(SM_NULL, none, none);
  checkCodecProperties(SM_STAT, name, statRes);
  checkCodecProperties(SM_MON, mon, statRes);
  checkCodecProperties(SM_UNMON, monId, int32);
  checkCodecProperties(SM_UNMON_ALL, myId, int32);
  checkCodecProperties(SM_SIMU_CRASH, none, none);
  checkCodecProperties(SM_NOTIFY, statChange, none);
  checkDirectionProperties('status', readSmStatus, writeSmStatus, fc.record({ monName: name, state: int32, priv }));
});
