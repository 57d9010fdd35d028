/**
 * NLM versions 1 and 3 (XNFS): the same procedures as version 4 in the
 * nlm_* dialect, 32-bit offsets and lengths and nlm_stats. Fixtures for every
 * procedure, the mapping of what version 4 can say and this dialect cannot,
 * and properties for every codec.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { NLMPROC_CANCEL, NLMPROC_CANCEL_MSG, NLMPROC_CANCEL_RES } from '../../../src/proto/nlm/cancel.js';
import { NLM_V3_CODECS } from '../../../src/proto/nlm/codecs.js';
import { FshAccess, FshMode, Nlm4Stat } from '../../../src/proto/nlm/constants.js';
import { NLMPROC_FREE_ALL } from '../../../src/proto/nlm/free-all.js';
import { NLMPROC_GRANTED, NLMPROC_GRANTED_MSG, NLMPROC_GRANTED_RES } from '../../../src/proto/nlm/granted.js';
import { NLMPROC_LOCK, NLMPROC_LOCK_MSG, NLMPROC_LOCK_RES } from '../../../src/proto/nlm/lock.js';
import { NLMPROC_NM_LOCK } from '../../../src/proto/nlm/nm-lock.js';
import { NLMPROC_SHARE } from '../../../src/proto/nlm/share.js';
import { NLMPROC_TEST, NLMPROC_TEST_MSG, NLMPROC_TEST_RES } from '../../../src/proto/nlm/test.js';
import type { NlmTestRes } from '../../../src/proto/nlm/types.js';
import { NLMPROC_UNLOCK, NLMPROC_UNLOCK_MSG, NLMPROC_UNLOCK_RES } from '../../../src/proto/nlm/unlock.js';
import { NLMPROC_UNSHARE } from '../../../src/proto/nlm/unshare.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import {
  checkArgsFixture,
  checkCodecProperties,
  checkResultFixture,
  encodeWith,
  hex,
} from '../../helpers/codec-properties.js';
import { v3 } from './arbitraries.js';
import {
  ALOCK3,
  ALOCK3_HEX,
  COOKIE,
  COOKIE_HEX,
  FH,
  HOLDER3,
  HOLDER3_HEX,
  LOCK_HEAD,
  LOCK_HEAD_HEX,
  OH1,
} from './fixtures.js';

const TESTARGS_HEX = `${COOKIE_HEX}
  00000000  // exclusive FALSE
${ALOCK3_HEX}`;
const TESTARGS = { cookie: COOKIE, exclusive: false, alock: ALOCK3 };

const LOCKARGS_HEX = `${COOKIE_HEX}
  00000000  // block FALSE
  00000001  // exclusive TRUE
${ALOCK3_HEX}
  00000001  // reclaim TRUE
  00000002  // state 2
`;
const LOCKARGS = { cookie: COOKIE, block: false, exclusive: true, alock: ALOCK3, reclaim: true, state: 2 };

const TESTRES_DENIED_HEX = `${COOKIE_HEX}
  00000001  // stat nlm_denied: the holder follows
${HOLDER3_HEX}`;
const TESTRES_DENIED: NlmTestRes = { cookie: COOKIE, stat: Nlm4Stat.DENIED, holder: HOLDER3 };

const RES_GRANTED_HEX = `${COOKIE_HEX}  00000000  // stat nlm_granted\n`;
const RES_GRANTED = { cookie: COOKIE, stat: Nlm4Stat.GRANTED };
const RES_NOLOCKS_HEX = `${COOKIE_HEX}  00000002  // stat nlm_denied_nolocks\n`;

describe('NLMPROC_TEST', () => {
  checkArgsFixture(NLMPROC_TEST, 'nlm_testargs, 32-bit range', hex(TESTARGS_HEX), TESTARGS);
  checkResultFixture(NLMPROC_TEST, 'nlm_denied with holder', hex(TESTRES_DENIED_HEX), TESTRES_DENIED);
  checkResultFixture(NLMPROC_TEST, 'nlm_granted', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkArgsFixture(NLMPROC_TEST_MSG, 'nlm_testargs', hex(TESTARGS_HEX), TESTARGS);
  checkResultFixture(NLMPROC_TEST_MSG, 'void', hex``, undefined);
  checkArgsFixture(NLMPROC_TEST_RES, 'nlm_testres', hex(TESTRES_DENIED_HEX), TESTRES_DENIED);
  checkResultFixture(NLMPROC_TEST_RES, 'void', hex``, undefined);
});

describe('NLMPROC_LOCK', () => {
  checkArgsFixture(NLMPROC_LOCK, 'nlm_lockargs, 32-bit range', hex(LOCKARGS_HEX), LOCKARGS);
  checkResultFixture(NLMPROC_LOCK, 'nlm_deadlck (version 3)', hex`${COOKIE_HEX} 00000005 // nlm_deadlck`, {
    cookie: COOKIE,
    stat: Nlm4Stat.DEADLCK,
  });
  checkArgsFixture(NLMPROC_LOCK_MSG, 'nlm_lockargs', hex(LOCKARGS_HEX), LOCKARGS);
  checkArgsFixture(NLMPROC_LOCK_RES, 'nlm_res', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkResultFixture(NLMPROC_LOCK_RES, 'void', hex``, undefined);
});

describe('NLMPROC_CANCEL', () => {
  const argsHex = `${COOKIE_HEX}
    00000001  // block TRUE
    00000000  // exclusive FALSE
  ${ALOCK3_HEX}`;
  const args = { cookie: COOKIE, block: true, exclusive: false, alock: ALOCK3 };
  checkArgsFixture(NLMPROC_CANCEL, 'nlm_cancargs', hex(argsHex), args);
  checkResultFixture(NLMPROC_CANCEL, 'nlm_granted', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkArgsFixture(NLMPROC_CANCEL_MSG, 'nlm_cancargs', hex(argsHex), args);
  checkArgsFixture(NLMPROC_CANCEL_RES, 'nlm_res', hex(RES_GRANTED_HEX), RES_GRANTED);
});

describe('NLMPROC_UNLOCK', () => {
  const argsHex = `${COOKIE_HEX}${ALOCK3_HEX}`;
  const args = { cookie: COOKIE, alock: ALOCK3 };
  checkArgsFixture(NLMPROC_UNLOCK, 'nlm_unlockargs', hex(argsHex), args);
  checkResultFixture(NLMPROC_UNLOCK, 'nlm_granted', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkArgsFixture(NLMPROC_UNLOCK_MSG, 'nlm_unlockargs', hex(argsHex), args);
  checkArgsFixture(NLMPROC_UNLOCK_RES, 'nlm_res', hex(RES_GRANTED_HEX), RES_GRANTED);
});

describe('NLMPROC_GRANTED', () => {
  checkArgsFixture(NLMPROC_GRANTED, 'nlm_testargs', hex(TESTARGS_HEX), TESTARGS);
  checkResultFixture(NLMPROC_GRANTED, 'nlm_granted', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkArgsFixture(NLMPROC_GRANTED_MSG, 'nlm_testargs', hex(TESTARGS_HEX), TESTARGS);
  checkArgsFixture(NLMPROC_GRANTED_RES, 'nlm_res', hex(RES_GRANTED_HEX), RES_GRANTED);
});

const SHAREARGS_HEX = `${COOKIE_HEX}
  00000005 686f7374 61000000  // caller_name "hosta"
  00000008 00000001 00000002  // fh: netobj, 8 bytes
  00000004 6f776e31  // oh "own1"
  00000000  // mode fsm_DN
  00000001  // access fsa_R
  00000000  // reclaim FALSE
`;
const SHAREARGS = {
  cookie: COOKIE,
  share: { callerName: 'hosta', fh: FH, oh: OH1, mode: FshMode.DN, access: FshAccess.R },
  reclaim: false,
};
const SHARERES_HEX = `${COOKIE_HEX}
  00000000  // stat nlm_granted
  00000001  // sequence 1
`;
const SHARERES = { cookie: COOKIE, stat: Nlm4Stat.GRANTED, sequence: 1 };

describe('NLMPROC_SHARE and NLMPROC_UNSHARE (version 3)', () => {
  checkArgsFixture(NLMPROC_SHARE, 'nlm_shareargs', hex(SHAREARGS_HEX), SHAREARGS);
  checkResultFixture(NLMPROC_SHARE, 'nlm_shareres', hex(SHARERES_HEX), SHARERES);
  checkArgsFixture(NLMPROC_UNSHARE, 'nlm_shareargs', hex(SHAREARGS_HEX), SHAREARGS);
  checkResultFixture(NLMPROC_UNSHARE, 'nlm_shareres', hex(SHARERES_HEX), SHARERES);
});

describe('NLMPROC_NM_LOCK and NLMPROC_FREE_ALL (version 3)', () => {
  checkArgsFixture(NLMPROC_NM_LOCK, 'nlm_lockargs', hex(LOCKARGS_HEX), LOCKARGS);
  checkResultFixture(NLMPROC_NM_LOCK, 'nlm_granted', hex(RES_GRANTED_HEX), RES_GRANTED);
  checkArgsFixture(NLMPROC_FREE_ALL, 'nlm_notify', hex`00000001 62000000 // name "b"\n 00000000 // state 0`, {
    name: 'b',
    state: 0,
  });
});

describe('what version 4 can say and versions 1/3 cannot', () => {
  test('STALE_FH, ROFS, FBIG and FAILED go out as nlm_denied_nolocks', () => {
    for (const stat of [Nlm4Stat.ROFS, Nlm4Stat.STALE_FH, Nlm4Stat.FBIG, Nlm4Stat.FAILED]) {
      const res = { cookie: COOKIE, stat };
      assert.equal(encodeWith(NLMPROC_LOCK.writeResult, res).toString('hex'), hex(RES_NOLOCKS_HEX).toString('hex'));
      assert.equal(encodeWith(NLMPROC_TEST.writeResult, res).toString('hex'), hex(RES_NOLOCKS_HEX).toString('hex'));
      assert.equal(encodeWith(NLMPROC_UNLOCK_RES.writeArgs, res).toString('hex'), hex(RES_NOLOCKS_HEX).toString('hex'));
    }
    const share = encodeWith(NLMPROC_SHARE.writeResult, { cookie: COOKIE, stat: Nlm4Stat.STALE_FH, sequence: 1 });
    assert.equal(share.toString('hex'), hex`${COOKIE_HEX} 00000002 // nlm_denied_nolocks\n 00000001`.toString('hex'));
  });

  test('a version 4 stat on the wire is refused', () => {
    assert.throws(() => NLMPROC_LOCK.readResult(new XdrReader(hex`${COOKIE_HEX} 00000007 // NLM4_STALE_FH`)), XdrError);
  });

  test('offsets and lengths beyond 32 bits clamp to 0xffffffff', () => {
    const alock = { ...LOCK_HEAD, offset: 0x1_0000_0005n, length: 1n << 40n };
    assert.equal(
      encodeWith(NLMPROC_UNLOCK.writeArgs, { cookie: COOKIE, alock }).toString('hex'),
      hex`${COOKIE_HEX}${LOCK_HEAD_HEX}
        ffffffff  // l_offset clamped
        ffffffff  // l_len clamped
      `.toString('hex'),
    );
  });

  test('a holder running to end of file keeps length 0', () => {
    const holder = { ...HOLDER3, offset: 0x2_0000_0000n, length: 0n };
    const bytes = encodeWith(NLMPROC_TEST.writeResult, { cookie: COOKIE, stat: Nlm4Stat.DENIED, holder });
    assert.equal(
      bytes.toString('hex'),
      hex`${COOKIE_HEX}
        00000001  // nlm_denied
        00000000 00000007 00000004 6f776e32  // exclusive, svid, oh
        ffffffff  // l_offset clamped
        00000000  // l_len 0: still to end of file
      `.toString('hex'),
    );
  });
});

describe('version 1/3 codec properties', () => {
  const none = fc.constant(undefined);
  const c = NLM_V3_CODECS;
  checkCodecProperties(c.NULL, none, none);
  checkCodecProperties(c.TEST, v3.testArgs, v3.testRes);
  checkCodecProperties(c.LOCK, v3.lockArgs, v3.res);
  checkCodecProperties(c.CANCEL, v3.cancelArgs, v3.res);
  checkCodecProperties(c.UNLOCK, v3.unlockArgs, v3.res);
  checkCodecProperties(c.GRANTED, v3.testArgs, v3.res);
  checkCodecProperties(c.TEST_MSG, v3.testArgs, none);
  checkCodecProperties(c.LOCK_MSG, v3.lockArgs, none);
  checkCodecProperties(c.CANCEL_MSG, v3.cancelArgs, none);
  checkCodecProperties(c.UNLOCK_MSG, v3.unlockArgs, none);
  checkCodecProperties(c.GRANTED_MSG, v3.testArgs, none);
  checkCodecProperties(c.TEST_RES, v3.testRes, none);
  checkCodecProperties(c.LOCK_RES, v3.res, none);
  checkCodecProperties(c.CANCEL_RES, v3.res, none);
  checkCodecProperties(c.UNLOCK_RES, v3.res, none);
  checkCodecProperties(c.GRANTED_RES, v3.res, none);
  checkCodecProperties(c.SHARE, v3.shareArgs, v3.shareRes);
  checkCodecProperties(c.UNSHARE, v3.shareArgs, v3.shareRes);
  checkCodecProperties(c.NM_LOCK, v3.lockArgs, v3.res);
  checkCodecProperties(c.FREE_ALL, v3.notify, none);
});
