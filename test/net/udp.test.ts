import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Dispatcher } from '../../src/net/dispatcher.js';
import { UdpTransport } from '../../src/net/udp.js';
import { createLogger, silentLogger } from '../../src/server/log.js';
import { hex } from '../helpers/codec-properties.js';
import { BIG, callRecord, ECHO, successBody, TEST_PROG, testProgram, TestProc, udpCall } from '../helpers/raw-rpc.js';

async function serve(host = '127.0.0.1', log = silentLogger) {
  const udp = new UdpTransport(new Dispatcher([testProgram()], log), { log });
  const port = await udp.bind(0, host);
  return { udp, port };
}

describe('udp transport', () => {
  test('one datagram, one call, one reply', async () => {
    const { udp, port } = await serve();
    const data = Buffer.from('over udp');
    const rec = callRecord({ xid: 77, prog: TEST_PROG, vers: 4, proc: TestProc.ECHO, args: (w) => ECHO.writeArgs(w, data) });
    const reply = await udpCall(port, rec);
    assert.equal(reply.readUInt32BE(0), 77);
    assert.deepEqual(ECHO.readResult(successBody(reply)), data);
    await udp.close();
  });

  test('rejects are sent as datagrams too', async () => {
    const { udp, port } = await serve();
    const reply = await udpCall(port, callRecord({ xid: 1, prog: 1, vers: 1, proc: 0 }));
    assert.deepEqual(reply, hex`00000001 00000001 00000000 00000000 00000000 00000001`);
    await udp.close();
  });

  test('a reply that cannot fit a datagram becomes SYSTEM_ERR (logged)', async () => {
    const lines: string[] = [];
    const { udp, port } = await serve('127.0.0.1', createLogger({ level: 'warn', write: (l) => lines.push(l) }));
    const fits = callRecord({ xid: 2, prog: TEST_PROG, vers: 2, proc: TestProc.BIG, args: (w) => BIG.writeArgs(w, 65_000) });
    assert.equal(BIG.readResult(successBody(await udpCall(port, fits))).length, 65_000);
    const tooBig = callRecord({ xid: 3, prog: TEST_PROG, vers: 2, proc: TestProc.BIG, args: (w) => BIG.writeArgs(w, 65_508) });
    assert.deepEqual(await udpCall(port, tooBig), hex`00000003 00000001 00000000 00000000 00000000 00000005`);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /too large/);
    await udp.close();
  });

  test('IPv6', async () => {
    const { udp, port } = await serve('::1');
    const reply = await udpCall(port, callRecord({ xid: 9, prog: TEST_PROG, vers: 2, proc: 0 }), '::1');
    successBody(reply);
    await udp.close();
  });
});
