import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeAuthSys, encodeAuthSys, type AuthSys } from '../../src/rpc/auth.js';
import { AcceptStat, AuthStat } from '../../src/rpc/constants.js';
import {
  readCallHeader,
  readReplyHeader,
  writeAcceptError,
  writeAuthError,
  writeCallHeader,
  writeRpcMismatch,
  writeSuccessHeader,
  type CallHeader,
} from '../../src/rpc/message.js';
import { XdrError, XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';
import { checkDirectionProperties, checkFixture, hex } from '../helpers/codec-properties.js';

const AUTH_SYS_BODY = hex`
  00000000          # stamp
  00000004 686f7374 # machinename "host"
  000003e8          # uid 1000
  00000064          # gid 100
  00000002          # 2 gids
  00000064 0000000a # 100, 10
`;

const GETATTR_CALL = Buffer.concat([
  hex`
  12345678          # xid
  00000000          # msg_type CALL
  00000002          # rpcvers 2
  000186a3          # prog 100003 (NFS)
  00000003          # vers 3
  00000001          # proc GETATTR
  00000001          # cred flavor AUTH_SYS
  00000020          # cred body length 32
`,
  AUTH_SYS_BODY,
  hex`00000000 00000000 # verf AUTH_NONE, empty`,
]);

const callValue: Omit<CallHeader, 'rpcvers'> = {
  xid: 0x12345678,
  prog: 100003,
  vers: 3,
  proc: 1,
  cred: { flavor: 1, body: AUTH_SYS_BODY },
  verf: { flavor: 0, body: Buffer.alloc(0) },
};

function reply(write: (w: XdrWriter) => void): string {
  const w = new XdrWriter();
  write(w);
  return w.toBuffer().toString('hex');
}

describe('rpc_msg call header (RFC 5531 section 9)', () => {
  checkFixture(
    'GETATTR call header',
    (r) => {
      const { rpcvers, ...rest } = readCallHeader(r);
      assert.equal(rpcvers, 2);
      return rest;
    },
    (w, v: typeof callValue) => writeCallHeader(w, v),
    GETATTR_CALL,
    callValue,
  );

  test('a REPLY is not a call', () => {
    assert.throws(() => readCallHeader(new XdrReader(hex`00000001 00000001`)), XdrError);
  });

  test('a credential body over 400 bytes is refused', () => {
    const bad = hex`00000001 00000000 00000002 000186a3 00000003 00000001 00000001 00000191`;
    assert.throws(() => readCallHeader(new XdrReader(Buffer.concat([bad, Buffer.alloc(404)]))), XdrError);
  });
});

describe('reply headers', () => {
  test('accepted SUCCESS', () => {
    assert.equal(
      reply((w) => writeSuccessHeader(w, 7)),
      hex`
        00000007 # xid
        00000001 # REPLY
        00000000 # MSG_ACCEPTED
        00000000 00000000 # verf AUTH_NONE
        00000000 # SUCCESS
      `.toString('hex'),
    );
  });

  test('PROG_MISMATCH carries the supported range', () => {
    assert.equal(
      reply((w) => writeAcceptError(w, 7, AcceptStat.PROG_MISMATCH, { low: 3, high: 3 })),
      hex`00000007 00000001 00000000 00000000 00000000 00000002 00000003 00000003`.toString('hex'),
    );
  });

  test('GARBAGE_ARGS', () => {
    assert.equal(
      reply((w) => writeAcceptError(w, 7, AcceptStat.GARBAGE_ARGS)),
      hex`00000007 00000001 00000000 00000000 00000000 00000004`.toString('hex'),
    );
  });

  test('RPC_MISMATCH', () => {
    assert.equal(
      reply((w) => writeRpcMismatch(w, 7)),
      hex`
        00000007 00000001
        00000001 # MSG_DENIED
        00000000 # RPC_MISMATCH
        00000002 00000002 # low, high
      `.toString('hex'),
    );
  });

  test('AUTH_ERROR', () => {
    assert.equal(
      reply((w) => writeAuthError(w, 7, AuthStat.AUTH_TOOWEAK)),
      hex`00000007 00000001 00000001 00000001 00000005`.toString('hex'),
    );
  });

  test('every reply form decodes back on the client side', () => {
    const forms: Array<[(w: XdrWriter) => void, string]> = [
      [(w) => writeSuccessHeader(w, 1), 'success'],
      [(w) => writeAcceptError(w, 1, AcceptStat.PROC_UNAVAIL), 'accept-error'],
      [(w) => writeAcceptError(w, 1, AcceptStat.PROG_MISMATCH, { low: 1, high: 3 }), 'accept-error'],
      [(w) => writeRpcMismatch(w, 1), 'rpc-mismatch'],
      [(w) => writeAuthError(w, 1, AuthStat.AUTH_BADCRED), 'auth-error'],
    ];
    for (const [write, kind] of forms) {
      const r = new XdrReader(Buffer.from(reply(write), 'hex'));
      const h = readReplyHeader(r);
      assert.equal(h.kind, kind);
      assert.equal(h.xid, 1);
      assert.equal(r.remaining, 0);
    }
  });
});

describe('AUTH_SYS (RFC 5531 appendix A)', () => {
  const value: AuthSys = { stamp: 0, machineName: 'host', uid: 1000, gid: 100, gids: [100, 10] };

  test('decodes the fixture', () => assert.deepEqual(decodeAuthSys(AUTH_SYS_BODY), value));
  test('encodes the fixture', () => assert.deepEqual(encodeAuthSys(value).body, AUTH_SYS_BODY));

  test('more than 16 gids is refused', () => {
    const gids = Array.from({ length: 17 }, (_, i) => i);
    assert.throws(() => decodeAuthSys(encodeAuthSys({ ...value, gids }).body), XdrError);
  });

  test('trailing bytes in the body are refused', () => {
    assert.throws(() => decodeAuthSys(Buffer.concat([AUTH_SYS_BODY, Buffer.alloc(4)])), XdrError);
  });

  const authSysArb = fc.record({
    stamp: fc.nat({ max: 0xffffffff }),
    machineName: fc.string({ maxLength: 60 }),
    uid: fc.nat({ max: 0xffffffff }),
    gid: fc.nat({ max: 0xffffffff }),
    gids: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 16 }),
  });
  checkDirectionProperties(
    'AUTH_SYS body',
    (r) => decodeAuthSys(r.fixedOpaque(r.remaining)),
    (w, v: AuthSys) => w.fixedOpaque(encodeAuthSys(v).body),
    authSysArb,
  );
});
