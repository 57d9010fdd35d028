import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Dispatcher } from '../../src/net/dispatcher.js';
import type { Remote } from '../../src/programs/program.js';
import { encodeAuthSys } from '../../src/rpc/auth.js';
import { AuthFlavor } from '../../src/rpc/constants.js';
import { createLogger, silentLogger } from '../../src/server/log.js';
import { hex } from '../helpers/codec-properties.js';
import { callRecord, DELAY, ECHO, TEST_PROG, testProgram, TestProc, type CallSpec } from '../helpers/raw-rpc.js';

const remote: Remote = { address: '127.0.0.1', port: 700, transport: 'tcp' };
const XID = 0x11223344;
const base: CallSpec = { xid: XID, prog: TEST_PROG, vers: 2, proc: 0 };

function dispatcher(log = silentLogger): Dispatcher {
  return new Dispatcher([testProgram()], log);
}

async function reply(record: Buffer, d = dispatcher()): Promise<string | undefined> {
  const segs = await d.dispatch(record, remote);
  return segs && Buffer.concat(segs).toString('hex');
}

const sysCred = encodeAuthSys({ stamp: 1, machineName: 'client', uid: 1000, gid: 100, gids: [100, 27] });

describe('dispatcher: accepted replies, byte-exact', () => {
  test('NULL succeeds with a null verifier and no results', async () => {
    assert.equal(
      await reply(callRecord(base)),
      hex`
        11223344  // xid
        00000001  // REPLY
        00000000  // MSG_ACCEPTED
        00000000 00000000  // verf AUTH_NONE, empty
        00000000  // SUCCESS
      `.toString('hex'),
    );
  });

  test('results follow the success header', async () => {
    const rec = callRecord({ ...base, proc: TestProc.ECHO, args: (w) => ECHO.writeArgs(w, Buffer.from('hi!')) });
    assert.equal(
      await reply(rec),
      hex`11223344 00000001 00000000 00000000 00000000 00000000
          00000003 68692100  // opaque "hi!" padded`.toString('hex'),
    );
  });

  test('AUTH_SYS is accepted and reaches the handler decoded', async () => {
    const rec = callRecord({ ...base, proc: TestProc.SYS_ONLY, cred: sysCred });
    assert.equal(await reply(rec), hex`11223344 00000001 00000000 00000000 00000000 00000000 000003e8`.toString('hex'));
  });

  test('unknown program: PROG_UNAVAIL', async () => {
    assert.equal(
      await reply(callRecord({ ...base, prog: 100003 })),
      hex`11223344 00000001 00000000 00000000 00000000 00000001`.toString('hex'),
    );
  });

  test('unsupported version: PROG_MISMATCH with the lowest and highest versions', async () => {
    for (const vers of [1, 3, 5]) {
      assert.equal(
        await reply(callRecord({ ...base, vers })),
        hex`11223344 00000001 00000000 00000000 00000000
            00000002  // PROG_MISMATCH
            00000002 00000004  // low, high`.toString('hex'),
      );
    }
  });

  test('unknown procedure: PROC_UNAVAIL', async () => {
    assert.equal(
      await reply(callRecord({ ...base, proc: 99 })),
      hex`11223344 00000001 00000000 00000000 00000000 00000003`.toString('hex'),
    );
  });

  test('undecodable arguments: GARBAGE_ARGS (short, and over the codec bound)', async () => {
    const expected = hex`11223344 00000001 00000000 00000000 00000000 00000004`.toString('hex');
    assert.equal(await reply(callRecord({ ...base, proc: TestProc.DELAY, args: (w) => w.u32(5) })), expected);
    assert.equal(await reply(callRecord({ ...base, proc: TestProc.ECHO, args: (w) => w.u32(0x7fff_ffff) })), expected);
  });

  test('a throwing handler: SYSTEM_ERR, logged as an error with its stack', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'error', json: true, write: (l) => lines.push(l) });
    assert.equal(
      await reply(callRecord({ ...base, proc: TestProc.THROW }), dispatcher(log)),
      hex`11223344 00000001 00000000 00000000 00000000 00000005`.toString('hex'),
    );
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0]!) as { level: string; proc: string; stack: string };
    assert.equal(entry.level, 'error');
    assert.equal(entry.proc, 'THROW');
    assert.match(entry.stack, /handler exploded\n\s+at /);
  });
});

describe('dispatcher: denied replies, byte-exact', () => {
  test('RPC version other than 2: RPC_MISMATCH(2, 2)', async () => {
    const rec = callRecord(base);
    rec.writeUInt32BE(3, 8);
    const expected = hex`
      11223344  // xid
      00000001  // REPLY
      00000001  // MSG_DENIED
      00000000  // RPC_MISMATCH
      00000002 00000002`.toString('hex');
    assert.equal(await reply(rec), expected);
    // Even when the rest of the header is not RPC v2's layout.
    assert.equal(await reply(hex`11223344 00000000 00000003 ff`), expected);
  });

  const authError = (stat: number): string =>
    hex`11223344 00000001 00000001 00000001`.toString('hex') + stat.toString(16).padStart(8, '0');

  test('malformed AUTH_SYS body: AUTH_BADCRED', async () => {
    const truncated = { flavor: AuthFlavor.AUTH_SYS, body: sysCred.body.subarray(0, sysCred.body.length - 4) };
    const trailing = { flavor: AuthFlavor.AUTH_SYS, body: Buffer.concat([sysCred.body, Buffer.alloc(4)]) };
    for (const cred of [truncated, trailing]) assert.equal(await reply(callRecord({ ...base, cred })), authError(1));
  });

  test('AUTH_SYS with 17 groups: AUTH_BADCRED', async () => {
    const gids = Array.from({ length: 17 }, (_, i) => i);
    const cred = encodeAuthSys({ stamp: 0, machineName: 'm', uid: 1, gid: 1, gids });
    assert.equal(await reply(callRecord({ ...base, cred })), authError(1));
    const sixteen = encodeAuthSys({ stamp: 0, machineName: 'm', uid: 1, gid: 1, gids: gids.slice(0, 16) });
    assert.equal(await reply(callRecord({ ...base, cred: sixteen })), hex`11223344 00000001 00000000 00000000 00000000 00000000`.toString('hex'));
  });

  test('AUTH_NONE with a body: AUTH_BADCRED', async () => {
    const cred = { flavor: AuthFlavor.AUTH_NONE, body: Buffer.alloc(4) };
    assert.equal(await reply(callRecord({ ...base, cred })), authError(1));
  });

  test('unsupported flavors (AUTH_SHORT, AUTH_DH, RPCSEC_GSS): AUTH_BADCRED', async () => {
    for (const flavor of [2, 3, 6]) {
      assert.equal(await reply(callRecord({ ...base, cred: { flavor, body: Buffer.alloc(8) } })), authError(1));
    }
  });

  test('a verifier other than an empty AUTH_NONE: AUTH_BADVERF', async () => {
    for (const verf of [{ flavor: AuthFlavor.AUTH_SYS, body: Buffer.alloc(0) }, { flavor: 0, body: Buffer.alloc(4) }]) {
      assert.equal(await reply(callRecord({ ...base, verf })), authError(3));
      assert.equal(await reply(callRecord({ ...base, cred: sysCred, verf })), authError(3));
    }
  });

  test("a flavor outside the procedure's list: AUTH_TOOWEAK", async () => {
    assert.equal(await reply(callRecord({ ...base, proc: TestProc.SYS_ONLY })), authError(5));
  });

  test('authentication is checked before the program (as glibc and Linux do)', async () => {
    const cred = { flavor: 6, body: Buffer.alloc(0) };
    assert.equal(await reply(callRecord({ ...base, prog: 1, cred })), authError(1));
  });
});

describe('dispatcher: dropped records', () => {
  test('a REPLY, a truncated header and an oversized credential get no answer', async () => {
    const asReply = callRecord(base);
    asReply.writeUInt32BE(1, 4);
    const oversizedCred = callRecord({ ...base, cred: { flavor: 1, body: Buffer.alloc(404) } });
    for (const rec of [asReply, callRecord(base).subarray(0, 30), Buffer.alloc(0), hex`11223344`, oversizedCred]) {
      assert.equal(await dispatcher().dispatch(rec, remote), undefined, rec.toString('hex'));
    }
  });

  test('garbage never throws', async () => {
    const d = dispatcher();
    const rec = callRecord({ ...base, proc: TestProc.DELAY, args: (w) => DELAY.writeArgs(w, { ms: 0, tag: 1 }) });
    for (let n = 0; n < rec.length; n++) {
      const cut = Buffer.from(rec.subarray(0, n));
      const out = await d.dispatch(cut, remote);
      // A prefix either is dropped or, once the header is whole, is GARBAGE_ARGS.
      if (out) assert.equal(Buffer.concat(out).readUInt32BE(20), 4, `prefix ${n}`);
      else assert.ok(n < 40, `prefix ${n} with a whole header was dropped`);
    }
  });
});

describe('dispatcher: large results', () => {
  test('a large result is passed through by reference, not copied', async () => {
    const payload = Buffer.alloc(1 << 20, 7);
    const d = new Dispatcher(
      [{ ...testProgram(), versions: new Map([[2, { vers: 2, procedures: new Map([[1, { codec: ECHO, handle: () => payload }]]) }]]) }],
      silentLogger,
    );
    const segs = await d.dispatch(callRecord({ ...base, proc: 1, args: (w) => ECHO.writeArgs(w, Buffer.alloc(0)) }), remote);
    assert.ok(segs);
    assert.ok(segs.some((s) => s.buffer === payload.buffer && s.length === payload.length));
  });
});
