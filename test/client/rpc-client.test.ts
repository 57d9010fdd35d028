import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { authSys } from '../../src/client/auth.js';
import { RpcConnectionError, RpcError, RpcTimeoutError } from '../../src/client/errors.js';
import { RpcClient } from '../../src/client/rpc-client.js';
import { RpcUdpClient } from '../../src/client/rpc-udp-client.js';
import { decodeAuthSys } from '../../src/rpc/auth.js';
import { AcceptStat, AuthFlavor, AuthStat } from '../../src/rpc/constants.js';
import { StableHow } from '../../src/proto/nfs3/constants.js';
import { WRITE } from '../../src/proto/nfs3/write.js';
import type { ProcedureCodec } from '../../src/proto/procedure.js';
import { XdrError } from '../../src/xdr/reader.js';
import {
  acceptErrorReply,
  authErrorReply,
  FakeTcpServer,
  FakeUdpServer,
  successReply,
  type FakeCall,
  type FakeHandler,
} from '../helpers/fake-rpc-server.js';

const PROG = 0x2000_0001;
const VERS = 1;

/** A test procedure: a number in, its double and an optional blob out. */
const DOUBLE: ProcedureCodec<number, { n: number; blob: Buffer }> = {
  proc: 1,
  name: 'DOUBLE',
  readArgs: (r) => r.u32(),
  writeArgs: (w, n) => w.u32(n),
  readResult: (r) => ({ n: r.u32(), blob: r.opaque(1 << 24) }),
  writeResult: (w, v) => w.u32(v.n).opaque(v.blob),
};

function answer(call: FakeCall, blob = Buffer.alloc(0)): void {
  call.send(successReply(call.xid, DOUBLE, { n: call.args.u32() * 2, blob }));
}

const servers: { close(): Promise<void> }[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function tcp(handler: FakeHandler, fragmentSize?: number): Promise<FakeTcpServer> {
  const s = await FakeTcpServer.start(handler, fragmentSize);
  servers.push(s);
  return s;
}

async function client(server: FakeTcpServer, opts: Partial<Parameters<typeof RpcClient.connect>[0]> = {}) {
  return RpcClient.connect({ host: '127.0.0.1', port: server.port, ...opts });
}

describe('RpcClient (TCP)', () => {
  test('pipelines calls and matches replies that come in reverse order', async () => {
    const held: FakeCall[] = [];
    const server = await tcp((call) => {
      held.push(call);
      if (held.length === 8) for (const c of held.reverse()) answer(c);
    });
    const c = await client(server);
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => c.call(PROG, VERS, DOUBLE, n)));
    assert.deepEqual(
      results.map((r) => r.n),
      [2, 4, 6, 8, 10, 12, 14, 16],
    );
    assert.equal(new Set(held.map((h) => h.xid)).size, 8, 'every call has its own xid');
    await c.close();
  });

  test('reassembles a reply sent in many fragments', async () => {
    const blob = Buffer.alloc(300_000);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 7) & 0xff;
    const server = await tcp((call) => answer(call, blob), 1000);
    const c = await client(server);
    const res = await c.call(PROG, VERS, DOUBLE, 21);
    assert.equal(res.n, 42);
    assert.ok(res.blob.equals(blob));
    await c.close();
  });

  test('a timed-out call is rejected and forgotten; a late reply is dropped; the connection stays usable', async () => {
    let arrived: (call: FakeCall) => void;
    const late = new Promise<FakeCall>((resolve) => (arrived = resolve));
    const server = await tcp((call) => {
      const n = call.args.u32();
      if (n === 1) arrived(call);
      else call.send(successReply(call.xid, DOUBLE, { n: n * 2, blob: Buffer.alloc(0) }));
    });
    const c = await client(server);
    await assert.rejects(c.call(PROG, VERS, DOUBLE, 1, { timeoutMs: 30 }), RpcTimeoutError);
    assert.equal(c.inFlight, 0);
    const call = await late;
    call.send(successReply(call.xid, DOUBLE, { n: 999, blob: Buffer.alloc(0) }));
    // Answered after the late reply on the same stream, so the client has dealt with that one first.
    assert.equal((await c.call(PROG, VERS, DOUBLE, 5)).n, 10);
    await c.close();
  });

  test('a connection reset rejects every pending call, and later calls', async () => {
    let seen = 0;
    const server = await tcp((_call, peer) => {
      if (++seen === 3) peer.socket!.resetAndDestroy();
    });
    const c = await client(server);
    const calls = [1, 2, 3].map((n) => c.call(PROG, VERS, DOUBLE, n));
    for (const p of calls) await assert.rejects(p, RpcConnectionError);
    await assert.rejects(c.call(PROG, VERS, DOUBLE, 4), RpcConnectionError);
    await c.close();
  });

  test('close() rejects pending calls', async () => {
    const server = await tcp(() => {});
    const c = await client(server);
    const rejected = assert.rejects(c.call(PROG, VERS, DOUBLE, 1), RpcConnectionError);
    await c.close();
    await rejected;
  });

  test('accept errors and rejections become RpcError with their details', async () => {
    const server = await tcp((call) => {
      switch (call.args.u32()) {
        case 1:
          return call.send(acceptErrorReply(call.xid, AcceptStat.PROG_MISMATCH, { low: 3, high: 4 }));
        case 2:
          return call.send(authErrorReply(call.xid, AuthStat.AUTH_TOOWEAK));
        case 3:
          return call.send(acceptErrorReply(call.xid, AcceptStat.PROC_UNAVAIL));
        default:
          return call.send(acceptErrorReply(call.xid, AcceptStat.GARBAGE_ARGS));
      }
    });
    const c = await client(server);
    const failure = (n: number) => c.call(PROG, VERS, DOUBLE, n).then(() => assert.fail('resolved'), (e: unknown) => e);
    const mismatch = await failure(1);
    assert.ok(mismatch instanceof RpcError);
    assert.equal(mismatch.kind, 'PROG_MISMATCH');
    assert.equal(mismatch.low, 3);
    assert.equal(mismatch.high, 4);
    const auth = await failure(2);
    assert.ok(auth instanceof RpcError);
    assert.equal(auth.kind, 'AUTH_ERROR');
    assert.equal(auth.authStat, AuthStat.AUTH_TOOWEAK);
    assert.match(auth.message, /AUTH_TOOWEAK/);
    assert.equal(((await failure(3)) as RpcError).kind, 'PROC_UNAVAIL');
    assert.equal(((await failure(4)) as RpcError).kind, 'GARBAGE_ARGS');
    await c.close();
  });

  test('a malformed reply fails its call only; strictReplies refuses trailing bytes', async () => {
    const server = await tcp((call) => {
      const n = call.args.u32();
      const good = successReply(call.xid, DOUBLE, { n: n * 2, blob: Buffer.alloc(0) });
      if (n === 1) call.send(good.subarray(0, good.length - 4));
      else if (n === 2) call.send(Buffer.concat([good, Buffer.alloc(4)]));
      else call.send(good);
    });
    const c = await client(server);
    await assert.rejects(c.call(PROG, VERS, DOUBLE, 1), XdrError);
    assert.equal((await c.call(PROG, VERS, DOUBLE, 2)).n, 4, 'lenient by default');
    await c.close();
    const strict = await client(server, { strictReplies: true });
    await assert.rejects(strict.call(PROG, VERS, DOUBLE, 2), XdrError);
    assert.equal((await strict.call(PROG, VERS, DOUBLE, 3)).n, 6);
    await strict.close();
  });

  test('sends AUTH_SYS of this process by default, and the credential given per call', async () => {
    const creds: Buffer[] = [];
    const flavors: number[] = [];
    const server = await tcp((call) => {
      flavors.push(call.cred.flavor);
      creds.push(Buffer.from(call.cred.body));
      answer(call);
    });
    const c = await client(server);
    await c.call(PROG, VERS, DOUBLE, 1);
    await c.call(PROG, VERS, DOUBLE, 1, { auth: authSys({ uid: 1234, gid: 56, gids: [7, 8] }) });
    assert.deepEqual(flavors, [AuthFlavor.AUTH_SYS, AuthFlavor.AUTH_SYS]);
    const mine = decodeAuthSys(creds[0]!);
    assert.equal(mine.uid, process.getuid!());
    assert.equal(mine.gid, process.getgid!());
    const given = decodeAuthSys(creds[1]!);
    assert.deepEqual([given.uid, given.gid, given.gids], [1234, 56, [7, 8]]);
    await c.close();
  });

  test('maxInFlight queues calls beyond the limit', async () => {
    const held: FakeCall[] = [];
    let maxSeen = 0;
    const server = await tcp((call) => {
      held.push(call);
      maxSeen = Math.max(maxSeen, held.length);
      // Replies are deferred, so an unbounded client would have all ten outstanding at once.
      setTimeout(() => {
        const c = held.shift();
        if (c) answer(c);
      }, 5);
    });
    const c = await client(server, { maxInFlight: 2 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => c.call(PROG, VERS, DOUBLE, i)));
    assert.deepEqual(
      results.map((r) => r.n),
      Array.from({ length: 10 }, (_, i) => 2 * i),
    );
    assert.equal(maxSeen, 2);
    await c.close();
  });

  test('a 1 MiB WRITE payload arrives intact and is handed to the socket by reference', async () => {
    const payload = Buffer.alloc(1 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
    let received: Buffer | undefined;
    const verf = Buffer.alloc(8, 1);
    const server = await tcp((call) => {
      received = Buffer.from(WRITE.readArgs(call.args).data);
      call.send(
        successReply(call.xid, WRITE, {
          status: 0,
          fileWcc: {},
          count: payload.length,
          committed: StableHow.UNSTABLE,
          verf,
        }),
      );
    });
    const c = await client(server);
    const written: Uint8Array[] = [];
    const original = net.Socket.prototype.write;
    net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
      if (chunk instanceof Uint8Array) written.push(chunk);
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof original;
    let res;
    try {
      res = await c.call(100003, 3, WRITE, {
        file: Buffer.from('fh'),
        offset: 0n,
        count: payload.length,
        stable: StableHow.UNSTABLE,
        data: payload,
      });
    } finally {
      net.Socket.prototype.write = original;
    }
    assert.equal(res.status, 0);
    assert.ok(received?.equals(payload));
    assert.ok(
      written.some((w) => w.buffer === payload.buffer && w.byteOffset === payload.byteOffset && w.length === payload.length),
      'the payload itself was written, not a copy',
    );
    await c.close();
  });

  test('privilegedPort binds a source port below 1024 (as root)', { skip: process.getuid?.() !== 0 }, async () => {
    const server = await tcp((call) => answer(call));
    const c = await client(server, { privilegedPort: true });
    assert.ok(c.localPort !== undefined && c.localPort < 1024, `local port ${c.localPort}`);
    assert.equal((await c.call(PROG, VERS, DOUBLE, 2)).n, 4);
    await c.close();
  });

  test('connect failure rejects', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(RpcClient.connect({ host: '127.0.0.1', port }), { code: 'ECONNREFUSED' });
  });
});

describe('RpcUdpClient', () => {
  async function udp(handler: FakeHandler): Promise<FakeUdpServer> {
    const s = await FakeUdpServer.start(handler);
    servers.push(s);
    return s;
  }

  test('retransmits with the same xid when the first datagram is lost', async () => {
    const xids: number[] = [];
    const server = await udp((call) => {
      xids.push(call.xid);
      if (xids.length > 1) answer(call);
    });
    const c = await RpcUdpClient.connect({ host: '127.0.0.1', port: server.port, retransmitMs: 20 });
    assert.equal((await c.call(PROG, VERS, DOUBLE, 8)).n, 16);
    assert.ok(xids.length >= 2);
    assert.equal(new Set(xids).size, 1, 'retransmissions reuse the xid');
    await c.close();
  });

  test('gives up with RpcTimeoutError when nothing answers', async () => {
    const server = await udp(() => {});
    const c = await RpcUdpClient.connect({ host: '127.0.0.1', port: server.port, retransmitMs: 10, timeoutMs: 200 });
    await assert.rejects(c.call(PROG, VERS, DOUBLE, 1), RpcTimeoutError);
    // Counted at the client: the server's receive events may still be queued when the call gives up.
    assert.ok(c.transmissions >= 2, `sent ${c.transmissions}`);
    assert.equal(c.inFlight, 0);
    await c.close();
  });

  test('RpcError kinds come through UDP too', async () => {
    const server = await udp((call) => call.send(acceptErrorReply(call.xid, AcceptStat.PROG_MISMATCH, { low: 2, high: 2 })));
    const c = await RpcUdpClient.connect({ host: '127.0.0.1', port: server.port });
    await assert.rejects(c.call(PROG, VERS, DOUBLE, 1), { name: 'RpcError', kind: 'PROG_MISMATCH', low: 2, high: 2 });
    await c.close();
  });
});
