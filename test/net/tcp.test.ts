import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Dispatcher } from '../../src/net/dispatcher.js';
import { TcpTransport, type TcpLimits } from '../../src/net/tcp.js';
import { silentLogger } from '../../src/server/log.js';
import {
  BIG,
  callRecord,
  DELAY,
  ECHO,
  fragments,
  frame,
  Gate,
  GATE,
  RawTcp,
  successBody,
  TEST_PROG,
  testProgram,
  TestProc,
} from '../helpers/raw-rpc.js';

async function serve(limits: Partial<TcpLimits> = {}, gate = new Gate(), host = '127.0.0.1') {
  const tcp = new TcpTransport(new Dispatcher([testProgram(gate)], silentLogger), { log: silentLogger, limits });
  const port = await tcp.listen(0, host);
  return { tcp, port, gate };
}

const echo = (xid: number, data: Buffer): Buffer =>
  callRecord({ xid, prog: TEST_PROG, vers: 2, proc: TestProc.ECHO, args: (w) => ECHO.writeArgs(w, data) });
const echoed = (reply: Buffer): Buffer => ECHO.readResult(successBody(reply));
const delay = (xid: number, ms: number): Buffer =>
  callRecord({ xid, prog: TEST_PROG, vers: 2, proc: TestProc.DELAY, args: (w) => DELAY.writeArgs(w, { ms, tag: xid }) });

describe('tcp transport', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    s = await serve({ maxRecord: 256 << 10 });
  });
  after(() => s.tcp.close(1000));

  test('pipelined calls are answered as each completes, in any order', async () => {
    const c = await RawTcp.connect(s.port);
    // Delays fall as xids rise, so completion order is the reverse of sending order.
    const n = 20;
    const batch = Buffer.concat(Array.from({ length: n }, (_, i) => frame(delay(i + 1, (n - i) * 15))));
    c.write(batch);
    const replies = await c.waitFor(n);
    const xids = replies.map((r) => r.readUInt32BE(0));
    assert.deepEqual([...xids].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i + 1));
    assert.notDeepEqual(xids, [...xids].sort((a, b) => a - b), 'replies came back in sending order');
    for (const r of replies) assert.equal(DELAY.readResult(successBody(r)), r.readUInt32BE(0));
    c.close();
  });

  test('a record in several fragments', async () => {
    const c = await RawTcp.connect(s.port);
    const data = Buffer.from('fragmented record payload, spread over four fragments');
    const rec = echo(7, data);
    c.write(fragments(rec, [1, 20, 7]));
    const [reply] = await c.waitFor(1);
    assert.equal(reply!.readUInt32BE(0), 7);
    assert.deepEqual(echoed(reply!), data);
    c.close();
  });

  test('records split at every byte boundary', async () => {
    const c = await RawTcp.connect(s.port);
    const stream = Buffer.concat([frame(echo(1, Buffer.from('one'))), fragments(echo(2, Buffer.from('two two')), [9])]);
    for (let cut = 1; cut < stream.length; cut++) {
      const before = c.replies.length;
      c.write(stream.subarray(0, cut));
      // Let the first part arrive on its own before the rest.
      await new Promise((resolve) => setImmediate(resolve));
      c.write(stream.subarray(cut));
      const replies = (await c.waitFor(before + 2)).slice(before);
      assert.deepEqual(replies.map(echoed).map(String), ['one', 'two two'], `cut at ${cut}`);
    }
    c.close();
  });

  test('an oversized record closes that connection; others are still served', async () => {
    const bystander = await RawTcp.connect(s.port);
    const c = await RawTcp.connect(s.port);
    const header = Buffer.alloc(4);
    header.writeUInt32BE((0x8000_0000 | ((256 << 10) + 1)) >>> 0, 0);
    c.write(header);
    await c.closed;
    assert.equal(c.replies.length, 0);
    // Also when the limit is crossed by the sum of fragments.
    const d = await RawTcp.connect(s.port);
    const h2 = Buffer.alloc(4);
    h2.writeUInt32BE(200 << 10, 0);
    d.write(Buffer.concat([h2, Buffer.alloc(200 << 10), h2]));
    await d.closed;
    assert.deepEqual(echoed(await bystander.call(echo(9, Buffer.from('still here')))), Buffer.from('still here'));
    bystander.close();
  });

  test('a 1 MiB reply arrives whole, as one record', async () => {
    const c = await RawTcp.connect(s.port);
    const big = callRecord({ xid: 5, prog: TEST_PROG, vers: 2, proc: TestProc.BIG, args: (w) => BIG.writeArgs(w, 1 << 20) });
    const reply = await c.call(big);
    const data = BIG.readResult(successBody(reply));
    assert.equal(data.length, 1 << 20);
    assert.ok(data.every((b) => b === 0xab));
    c.close();
  });

  test('per-connection stats count calls and bytes', async () => {
    const c = await RawTcp.connect(s.port);
    await c.call(echo(1, Buffer.from('x')));
    await c.call(echo(2, Buffer.from('y')));
    const mine = s.tcp.stats().find((st) => st.remote.port === c.socket.localPort);
    assert.ok(mine);
    assert.equal(mine.calls, 2);
    assert.equal(mine.remote.address, '127.0.0.1');
    assert.equal(mine.remote.transport, 'tcp');
    assert.equal(mine.bytesIn, 2 * (4 + echo(1, Buffer.from('x')).length));
    assert.equal(mine.bytesOut, c.replies.reduce((n, r) => n + 4 + r.length, 0));
    c.close();
  });
});

describe('tcp transport limits', () => {
  test('at the in-flight cap the server stops reading; it resumes once calls finish', async () => {
    const { tcp, port, gate } = await serve({ maxInFlight: 4 });
    const c = await RawTcp.connect(port);
    const gateCall = (i: number): Buffer =>
      callRecord({ xid: i, prog: TEST_PROG, vers: 2, proc: TestProc.GATE, args: (w) => GATE.writeArgs(w, i) });
    // Small calls first, many to a read: the server must hold back all but 4 of them even though it has read them.
    const small = 200;
    let sent = 0;
    for (let i = 0; i < small; i++) {
      const rec = frame(gateCall(i));
      c.write(rec);
      sent += rec.length;
    }
    // Then far more than the kernel's socket buffers hold: the client must be left with unsent bytes.
    const padding = Buffer.alloc(60 << 10);
    const calls = small + 600;
    for (let i = small; i < calls; i++) {
      const rec = frame(Buffer.concat([gateCall(i), padding]));
      c.write(rec);
      sent += rec.length;
    }
    await gate.reached(4);
    // Give the server every chance to read (and wrongly dispatch) more.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(gate.entered, 4);
    assert.equal(tcp.stats()[0]!.inFlight, 4);
    const received = tcp.stats()[0]!.bytesIn;
    assert.ok(received < sent / 2, `server read ${received} of ${sent} bytes while at its cap`);
    assert.ok(c.socket.writableLength > 0, 'client was never pushed back');

    // Let everything through: the server resumes and answers every call.
    gate.open();
    const replies = await c.waitFor(calls);
    assert.equal(replies.length, calls);
    assert.equal(gate.entered, calls);
    c.close();
    await tcp.close(1000);
  });

  test('a peer that does not read its replies stops the server reading its calls', async () => {
    const { tcp, port } = await serve({ maxInFlight: 1000, writeHighWater: 1 << 20 });
    const c = await RawTcp.connect(port);
    c.socket.pause();
    const calls = 200;
    for (let i = 0; i < calls; i++) {
      c.write(frame(callRecord({ xid: i, prog: TEST_PROG, vers: 2, proc: TestProc.BIG, args: (w) => BIG.writeArgs(w, 512 << 10) })));
    }
    // Wait until the server has stopped making progress, then check it stopped well short of everything.
    let last = -1;
    while (tcp.stats()[0]!.calls !== last) {
      last = tcp.stats()[0]!.calls;
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(last < calls / 2, `server ran ${last} of ${calls} calls for a peer that reads nothing`);
    c.socket.resume();
    const replies = await c.waitFor(calls);
    assert.equal(replies.length, calls);
    c.close();
    await tcp.close(1000);
  });

  test('a peer that half-closes after its calls still gets every reply', { timeout: 10_000 }, async () => {
    const { tcp, port } = await serve();
    const c = await RawTcp.connect(port);
    c.socket.end(Buffer.concat([frame(delay(1, 30)), frame(delay(2, 10))]));
    await c.closed;
    assert.deepEqual(c.replies.map((r) => r.readUInt32BE(0)).sort(), [1, 2]);
    await tcp.close(1000);
  });

  test('connections beyond the limit are refused', async () => {
    const { tcp, port } = await serve({ maxConnections: 2 });
    const a = await RawTcp.connect(port);
    const b = await RawTcp.connect(port);
    await a.call(echo(1, Buffer.from('a')));
    await b.call(echo(1, Buffer.from('b')));
    const c = await RawTcp.connect(port);
    await c.closed;
    assert.equal(c.replies.length, 0);
    a.close();
    await a.closed;
    while (tcp.stats().length >= 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const d = await RawTcp.connect(port);
    assert.deepEqual(echoed(await d.call(echo(2, Buffer.from('d')))), Buffer.from('d'));
    b.close();
    d.close();
    await tcp.close(1000);
  });

  test('an idle connection is closed', async () => {
    const { tcp, port } = await serve({ idleTimeoutMs: 50 });
    const c = await RawTcp.connect(port);
    await c.call(echo(1, Buffer.from('a')));
    await c.closed;
    await tcp.close(1000);
  });

  test('close() lets calls in flight answer, then closes connections', async () => {
    const { tcp, port } = await serve();
    const c = await RawTcp.connect(port);
    c.write(frame(delay(42, 100)));
    while (tcp.inFlight === 0) await new Promise((resolve) => setImmediate(resolve));
    await tcp.close(5000);
    const [reply] = await c.waitFor(1);
    assert.equal(DELAY.readResult(successBody(reply!)), 42);
    await c.closed;
  });

  test('IPv6', async () => {
    const { tcp, port } = await serve({}, new Gate(), '::1');
    const c = await RawTcp.connect(port, '::1');
    assert.deepEqual(echoed(await c.call(echo(3, Buffer.from('v6')))), Buffer.from('v6'));
    assert.equal(tcp.stats()[0]!.remote.address, '::1');
    c.close();
    await tcp.close(1000);
  });
});
