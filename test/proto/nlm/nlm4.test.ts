/** NLM version 4 (RFC 1813 section 6): fixtures for every procedure and properties for every codec. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { NLMPROC4_CANCEL, NLMPROC4_CANCEL_MSG, NLMPROC4_CANCEL_RES } from '../../../src/proto/nlm/cancel.js';
import { NLM4_CODECS } from '../../../src/proto/nlm/codecs.js';
import { FshAccess, FshMode, Nlm4Stat } from '../../../src/proto/nlm/constants.js';
import { NLMPROC4_FREE_ALL } from '../../../src/proto/nlm/free-all.js';
import { NLMPROC4_GRANTED, NLMPROC4_GRANTED_MSG, NLMPROC4_GRANTED_RES } from '../../../src/proto/nlm/granted.js';
import { NLMPROC4_LOCK, NLMPROC4_LOCK_MSG, NLMPROC4_LOCK_RES } from '../../../src/proto/nlm/lock.js';
import { NLMPROC4_NM_LOCK } from '../../../src/proto/nlm/nm-lock.js';
import { NLMPROC4_SHARE } from '../../../src/proto/nlm/share.js';
import { NLMPROC4_TEST, NLMPROC4_TEST_MSG, NLMPROC4_TEST_RES } from '../../../src/proto/nlm/test.js';
import type { NlmTestRes } from '../../../src/proto/nlm/types.js';
import { NLMPROC4_UNLOCK, NLMPROC4_UNLOCK_MSG, NLMPROC4_UNLOCK_RES } from '../../../src/proto/nlm/unlock.js';
import { NLMPROC4_UNSHARE } from '../../../src/proto/nlm/unshare.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import { XdrWriter } from '../../../src/xdr/writer.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { v4 } from './arbitraries.js';
import { ALOCK4, ALOCK4_HEX, COOKIE, COOKIE_HEX, FH, HOLDER4, HOLDER4_HEX, OH1 } from './fixtures.js';

const TESTARGS_HEX = `${COOKIE_HEX}
  00000001  // exclusive TRUE
${ALOCK4_HEX}`;
const TESTARGS = { cookie: COOKIE, exclusive: true, alock: ALOCK4 };

const LOCKARGS_HEX = `${COOKIE_HEX}
  00000001  // block TRUE
  00000000  // exclusive FALSE
${ALOCK4_HEX}
  00000000  // reclaim FALSE
  00000003  // state 3 (the client's NSM state)
`;
const LOCKARGS = { cookie: COOKIE, block: true, exclusive: false, alock: ALOCK4, reclaim: false, state: 3 };

const TESTRES_DENIED_HEX = `${COOKIE_HEX}
  00000001  // stat NLM4_DENIED: the holder follows
${HOLDER4_HEX}`;
const TESTRES_DENIED: NlmTestRes = { cookie: COOKIE, stat: Nlm4Stat.DENIED, holder: HOLDER4 };

const RES_GRANTED_HEX = `${COOKIE_HEX}  00000000  // stat NLM4_GRANTED\n`;
const RES_GRANTED = { cookie: COOKIE, stat: Nlm4Stat.GRANTED };

describe('NLMPROC4_TEST', () => {
  checkArgsFixture(NLMPROC4_TEST, 'nlm4_testargs, 64-bit range', hex(TESTARGS_HEX), TESTARGS);
  checkResultFixture(NLMPROC4_TEST, 'NLM4_GRANTED: no holder', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkResultFixture(NLMPROC4_TEST, 'NLM4_DENIED with holder', hex(TESTRES_DENIED_HEX), TESTRES_DENIED);
  checkResultFixture(
    NLMPROC4_TEST,
    'NLM4_DENIED_GRACE_PERIOD: no holder',
    hex`${COOKIE_HEX} 00000004 // stat NLM4_DENIED_GRACE_PERIOD`,
    { cookie: COOKIE, stat: Nlm4Stat.DENIED_GRACE_PERIOD },
  );
  test('a holder with a stat other than DENIED is not sent', () => {
    const w = new XdrWriter();
    NLMPROC4_TEST.writeResult(w, { cookie: COOKIE, stat: Nlm4Stat.GRANTED, holder: HOLDER4 });
    assert.equal(w.toBuffer().toString('hex'), hex(RES_GRANTED_HEX).toString('hex'));
  });
  test('DENIED without a holder is refused', () => {
    const denied = { cookie: COOKIE, stat: Nlm4Stat.DENIED };
    assert.throws(() => NLMPROC4_TEST.writeResult(new XdrWriter(), denied), RangeError);
  });
  checkArgsFixture(NLMPROC4_TEST_MSG, 'nlm4_testargs', hex(TESTARGS_HEX), TESTARGS);
  checkResultFixture(NLMPROC4_TEST_MSG, 'void', hex``, undefined);
  checkArgsFixture(NLMPROC4_TEST_RES, 'nlm4_testres DENIED', hex(TESTRES_DENIED_HEX), TESTRES_DENIED);
  checkResultFixture(NLMPROC4_TEST_RES, 'void', hex``, undefined);
});

describe('NLMPROC4_LOCK', () => {
  checkArgsFixture(NLMPROC4_LOCK, 'nlm4_lockargs, 64-bit range', hex(LOCKARGS_HEX), LOCKARGS);
  checkResultFixture(NLMPROC4_LOCK, 'NLM4_BLOCKED', hex`${COOKIE_HEX} 00000003 // stat NLM4_BLOCKED`, {
    cookie: COOKIE,
    stat: Nlm4Stat.BLOCKED,
  });
  checkResultFixture(NLMPROC4_LOCK, 'NLM4_STALE_FH', hex`${COOKIE_HEX} 00000007 // stat NLM4_STALE_FH`, {
    cookie: COOKIE,
    stat: Nlm4Stat.STALE_FH,
  });
  checkResultFixture(NLMPROC4_LOCK, 'NLM4_FAILED', hex`${COOKIE_HEX} 00000009 // stat NLM4_FAILED`, {
    cookie: COOKIE,
    stat: Nlm4Stat.FAILED,
  });
  checkArgsFixture(NLMPROC4_LOCK_MSG, 'nlm4_lockargs', hex(LOCKARGS_HEX), LOCKARGS);
  checkResultFixture(NLMPROC4_LOCK_MSG, 'void', hex``, undefined);
  checkArgsFixture(NLMPROC4_LOCK_RES, 'nlm4_res', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkResultFixture(NLMPROC4_LOCK_RES, 'void', hex``, undefined);
});

describe('NLMPROC4_CANCEL', () => {
  const argsHex = `${COOKIE_HEX}
    00000001  // block TRUE
    00000001  // exclusive TRUE
  ${ALOCK4_HEX}`;
  const args = { cookie: COOKIE, block: true, exclusive: true, alock: ALOCK4 };
  checkArgsFixture(NLMPROC4_CANCEL, 'nlm4_cancargs', hex(argsHex), args);
  const deniedHex = `${COOKIE_HEX} 00000001 // stat NLM4_DENIED, no holder in nlm4_res`;
  checkResultFixture(NLMPROC4_CANCEL, 'NLM4_DENIED', hex(deniedHex), { cookie: COOKIE, stat: Nlm4Stat.DENIED });
  checkArgsFixture(NLMPROC4_CANCEL_MSG, 'nlm4_cancargs', hex(argsHex), args);
  checkArgsFixture(NLMPROC4_CANCEL_RES, 'nlm4_res', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkResultFixture(NLMPROC4_CANCEL_RES, 'void', hex``, undefined);
});

describe('NLMPROC4_UNLOCK', () => {
  const argsHex = `${COOKIE_HEX}${ALOCK4_HEX}`;
  const args = { cookie: COOKIE, alock: ALOCK4 };
  checkArgsFixture(NLMPROC4_UNLOCK, 'nlm4_unlockargs', hex(argsHex), args);
  checkResultFixture(NLMPROC4_UNLOCK, 'NLM4_GRANTED', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkArgsFixture(NLMPROC4_UNLOCK_MSG, 'nlm4_unlockargs', hex(argsHex), args);
  checkArgsFixture(NLMPROC4_UNLOCK_RES, 'nlm4_res', hex(RES_GRANTED_HEX), RES_GRANTED);
});

describe('NLMPROC4_GRANTED', () => {
  checkArgsFixture(NLMPROC4_GRANTED, 'nlm4_testargs', hex(TESTARGS_HEX), TESTARGS);
  checkResultFixture(NLMPROC4_GRANTED, 'NLM4_GRANTED', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkArgsFixture(NLMPROC4_GRANTED_MSG, 'nlm4_testargs', hex(TESTARGS_HEX), TESTARGS);
  checkArgsFixture(NLMPROC4_GRANTED_RES, 'nlm4_res', hex(RES_GRANTED_HEX), RES_GRANTED);
});

const SHAREARGS_HEX = `${COOKIE_HEX}
  00000005 686f7374 61000000  // caller_name "hosta"
  00000008 00000001 00000002  // fh: netobj, 8 bytes
  00000004 6f776e31  // oh "own1"
  00000002  // mode fsm_DW: deny others write
  00000003  // access fsa_RW
  00000001  // reclaim TRUE
`;
const SHAREARGS = {
  cookie: COOKIE,
  share: { callerName: 'hosta', fh: FH, oh: OH1, mode: FshMode.DW, access: FshAccess.RW },
  reclaim: true,
};
const SHARERES_HEX = `${COOKIE_HEX}
  00000001  // stat NLM4_DENIED
  00000000  // sequence 0
`;
const SHARERES = { cookie: COOKIE, stat: Nlm4Stat.DENIED, sequence: 0 };

describe('NLMPROC4_SHARE', () => {
  checkArgsFixture(NLMPROC4_SHARE, 'nlm4_shareargs', hex(SHAREARGS_HEX), SHAREARGS);
  checkResultFixture(NLMPROC4_SHARE, 'nlm4_shareres NLM4_DENIED', hex(SHARERES_HEX), SHARERES);
  const rofsHex = `${COOKIE_HEX}
    00000006  // stat NLM4_ROFS
    fffffffe  // sequence -2
  `;
  checkResultFixture(NLMPROC4_SHARE, 'nlm4_shareres NLM4_ROFS', hex(rofsHex), {
    cookie: COOKIE,
    stat: Nlm4Stat.ROFS,
    sequence: -2,
  });
});

describe('NLMPROC4_UNSHARE', () => {
  checkArgsFixture(NLMPROC4_UNSHARE, 'nlm4_shareargs', hex(SHAREARGS_HEX), SHAREARGS);
  checkResultFixture(NLMPROC4_UNSHARE, 'nlm4_shareres', hex(SHARERES_HEX), SHARERES);
});

describe('NLMPROC4_NM_LOCK', () => {
  const args = { ...LOCKARGS, block: false };
  const argsHex = LOCKARGS_HEX.replace('00000001  // block TRUE', '00000000  // block FALSE');
  checkArgsFixture(NLMPROC4_NM_LOCK, 'nlm4_lockargs', hex(argsHex), args);
  checkResultFixture(NLMPROC4_NM_LOCK, 'NLM4_GRANTED', hex(RES_GRANTED_HEX), RES_GRANTED);
});

describe('NLMPROC4_FREE_ALL', () => {
  checkArgsFixture(
    NLMPROC4_FREE_ALL,
    'nlm4_notify',
    hex`
      00000005 686f7374 61000000  // name "hosta"
      00000011  // state 17 (int32, not RFC 1813's misprinted int64)
    `,
    { name: 'hosta', state: 17 },
  );
  checkResultFixture(NLMPROC4_FREE_ALL, 'void', hex``, undefined);
});

test('a stat outside nlm4_stats is refused', () => {
  assert.throws(() => NLMPROC4_LOCK.readResult(new XdrReader(hex`${COOKIE_HEX} 0000000a // 10`)), XdrError);
});

describe('version 4 codec properties', () => {
  const none = fc.constant(undefined);
  const c = NLM4_CODECS;
  checkCodecProperties(c.NULL, none, none);
  checkCodecProperties(c.TEST, v4.testArgs, v4.testRes);
  checkCodecProperties(c.LOCK, v4.lockArgs, v4.res);
  checkCodecProperties(c.CANCEL, v4.cancelArgs, v4.res);
  checkCodecProperties(c.UNLOCK, v4.unlockArgs, v4.res);
  checkCodecProperties(c.GRANTED, v4.testArgs, v4.res);
  checkCodecProperties(c.TEST_MSG, v4.testArgs, none);
  checkCodecProperties(c.LOCK_MSG, v4.lockArgs, none);
  checkCodecProperties(c.CANCEL_MSG, v4.cancelArgs, none);
  checkCodecProperties(c.UNLOCK_MSG, v4.unlockArgs, none);
  checkCodecProperties(c.GRANTED_MSG, v4.testArgs, none);
  checkCodecProperties(c.TEST_RES, v4.testRes, none);
  checkCodecProperties(c.LOCK_RES, v4.res, none);
  checkCodecProperties(c.CANCEL_RES, v4.res, none);
  checkCodecProperties(c.UNLOCK_RES, v4.res, none);
  checkCodecProperties(c.GRANTED_RES, v4.res, none);
  checkCodecProperties(c.SHARE, v4.shareArgs, v4.shareRes);
  checkCodecProperties(c.UNSHARE, v4.shareArgs, v4.shareRes);
  checkCodecProperties(c.NM_LOCK, v4.lockArgs, v4.res);
  checkCodecProperties(c.FREE_ALL, v4.notify, none);
});
