import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReplyCache, replyCacheKey } from '../../src/net/reply-cache.js';
import { MountClient } from '../../src/client/mount.js';
import { encodeAuthSys } from '../../src/rpc/auth.js';
import { CreateMode, NFS_PROGRAM, NFS_V3, Nfs3Proc, NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { CREATE } from '../../src/proto/nfs3/create.js';
import { REMOVE } from '../../src/proto/nfs3/remove.js';
import { XdrReader } from '../../src/xdr/reader.js';
import type { XdrWriter } from '../../src/xdr/writer.js';
import { callRecord, frame, RawTcp, successBody, udpCall } from '../helpers/raw-rpc.js';
import { startTestServer } from '../helpers/test-server.js';

describe('ReplyCache', () => {
  test('a new call runs, a retransmission while it runs is dropped, one after it finished is replayed', () => {
    const cache = new ReplyCache({ maxEntries: 10, ttlMs: 1000 });
    const key = replyCacheKey('10.0.0.1', 7, 100003, 3, 12, Buffer.from('args'));
    assert.deepEqual(cache.begin(key), { kind: 'new' });
    assert.deepEqual(cache.begin(key), { kind: 'running' });
    cache.finish(key, [Buffer.from('rep'), Buffer.from('ly')]);
    assert.deepEqual(cache.begin(key), { kind: 'replay', reply: Buffer.from('reply') });
  });

  test('other arguments, xid, procedure or client make another call', () => {
    const base = replyCacheKey('10.0.0.1', 7, 100003, 3, 12, Buffer.from('args'));
    assert.notEqual(replyCacheKey('10.0.0.1', 7, 100003, 3, 12, Buffer.from('argz')), base);
    assert.notEqual(replyCacheKey('10.0.0.1', 8, 100003, 3, 12, Buffer.from('args')), base);
    assert.notEqual(replyCacheKey('10.0.0.1', 7, 100003, 3, 13, Buffer.from('args')), base);
    assert.notEqual(replyCacheKey('10.0.0.2', 7, 100003, 3, 12, Buffer.from('args')), base);
  });

  test('entries expire after their lifetime and the oldest are evicted beyond the bound', () => {
    let now = 0;
    const cache = new ReplyCache({ maxEntries: 2, ttlMs: 100 }, () => now);
    cache.begin('a');
    cache.finish('a', [Buffer.from('A')]);
    now = 150;
    assert.deepEqual(cache.begin('a'), { kind: 'new' }, 'expired');
    cache.begin('b');
    cache.begin('c');
    assert.equal(cache.size, 2);
    assert.deepEqual(cache.begin('a'), { kind: 'new' }, 'the oldest was evicted');
  });

  test('an abandoned call runs again', () => {
    const cache = new ReplyCache();
    cache.begin('k');
    cache.abandon('k');
    assert.deepEqual(cache.begin('k'), { kind: 'new' });
  });
});

describe('retransmitted non-idempotent calls get the original reply', () => {
  const root = encodeAuthSys({ stamp: 0, machineName: 'test', uid: 0, gid: 0, gids: [] });

  async function rootHandle(port: number, exportPath: string): Promise<Buffer> {
    const mount = await MountClient.connect({ host: '127.0.0.1', port });
    try {
      return (await mount.mnt(exportPath)).fhandle;
    } finally {
      await mount.close();
    }
  }

  type ArgsWriter = (w: XdrWriter) => void;

  function nfsCall(xid: number, proc: Nfs3Proc, args: ArgsWriter): Buffer {
    return callRecord({ xid, prog: NFS_PROGRAM, vers: NFS_V3, proc, cred: root, args });
  }

  function statusOf(reply: Buffer): NfsStat3 {
    return successBody(reply).u32();
  }

  test('GUARDED CREATE and REMOVE over TCP, each sent twice with one xid', async () => {
    const srv = await startTestServer({ backend: 'memory', exportOptions: { noRootSquash: true } });
    const conn = await RawTcp.connect(srv.port);
    try {
      const dir = await rootHandle(srv.port, srv.exportPath);
      const name = Buffer.from('once');
      const create: ArgsWriter = (w) =>
        CREATE.writeArgs(w, { where: { dir, name }, how: { mode: CreateMode.GUARDED, objAttributes: { mode: 0o644 } } });
      const first = await conn.call(nfsCall(0x1001, Nfs3Proc.CREATE, create));
      const again = await conn.call(nfsCall(0x1001, Nfs3Proc.CREATE, create));
      assert.equal(statusOf(first), NfsStat3.OK);
      assert.deepEqual(again, first, 'the retransmission is answered with the very same reply');
      const fresh = await conn.call(nfsCall(0x1002, Nfs3Proc.CREATE, create));
      assert.equal(statusOf(fresh), NfsStat3.EXIST, 'a new xid runs again');

      const remove: ArgsWriter = (w) => REMOVE.writeArgs(w, { object: { dir, name } });
      const removed = await conn.call(nfsCall(0x1003, Nfs3Proc.REMOVE, remove));
      assert.equal(statusOf(removed), NfsStat3.OK);
      assert.equal(statusOf(await conn.call(nfsCall(0x1003, Nfs3Proc.REMOVE, remove))), NfsStat3.OK);
    } finally {
      conn.close();
      await srv.stop();
    }
  });

  test('REMOVE over UDP, retransmitted', async () => {
    const srv = await startTestServer({ backend: 'memory', exportOptions: { noRootSquash: true } });
    try {
      const dir = await rootHandle(srv.port, srv.exportPath);
      const name = Buffer.from('f');
      const create: ArgsWriter = (w) =>
        CREATE.writeArgs(w, { where: { dir, name }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } });
      assert.equal(statusOf(await udpCall(srv.port, nfsCall(0x2001, Nfs3Proc.CREATE, create))), NfsStat3.OK);
      const remove: ArgsWriter = (w) => REMOVE.writeArgs(w, { object: { dir, name } });
      const call = nfsCall(0x2002, Nfs3Proc.REMOVE, remove);
      assert.equal(statusOf(await udpCall(srv.port, call)), NfsStat3.OK);
      assert.equal(statusOf(await udpCall(srv.port, call)), NfsStat3.OK, 'not NOENT');
    } finally {
      await srv.stop();
    }
  });

  test('a retransmission that arrives while the original runs gets no second reply', async () => {
    const srv = await startTestServer({ backend: 'memory', exportOptions: { noRootSquash: true } });
    const conn = await RawTcp.connect(srv.port);
    try {
      const dir = await rootHandle(srv.port, srv.exportPath);
      const create: ArgsWriter = (w) =>
        CREATE.writeArgs(w, { where: { dir, name: Buffer.from('x') }, how: { mode: CreateMode.GUARDED, objAttributes: {} } });
      const record = frame(nfsCall(0x3001, Nfs3Proc.CREATE, create));
      conn.write(Buffer.concat([record, record]));
      const [reply] = await conn.waitFor(1);
      assert.equal(statusOf(reply!), NfsStat3.OK);
      // A later call on the same connection is answered next: the duplicate produced nothing.
      const ping = await conn.call(callRecord({ xid: 0x3002, prog: NFS_PROGRAM, vers: NFS_V3, proc: Nfs3Proc.NULL }));
      assert.equal(new XdrReader(ping).u32(), 0x3002);
      assert.equal(conn.replies.length, 2);
    } finally {
      conn.close();
      await srv.stop();
    }
  });
});
