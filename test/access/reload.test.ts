/**
 * Reloading the exports file on a running server, seen by clients whose
 * connections stay open throughout: exports added, removed (released as by
 * eject, handles STALE), options and client lists changed from the next
 * call; a malformed file changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MemoryBackend } from '../../src/backend/memory/index.js';
import { authSys } from '../../src/client/auth.js';
import { MountStat3 } from '../../src/proto/mount/constants.js';
import { CreateMode, NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { WRITE } from '../../src/proto/nfs3/write.js';
import { askServer } from '../../src/server/admin.js';
import { parseExports } from '../../src/server/exports-file.js';
import { NfsServer, type ReloadReport, type ReloadSpec } from '../../src/server/nfs-server.js';
import { host, mntStatus } from './hosts.js';

const ROOT = authSys({ uid: 0, gid: 0 });

describe('reload', () => {
  let text = '/a 127.0.0.1(rw,insecure,no_root_squash) 127.0.0.2(rw,insecure,no_root_squash)';
  const made: string[] = [];
  const source = async (): Promise<ReloadSpec[]> =>
    parseExports(text, 'exports').map((e) => ({
      path: e.path,
      ...(e.id !== undefined && { id: e.id }),
      options: { clients: e.clients },
      backend: async () => {
        made.push(e.path);
        return new MemoryBackend();
      },
    }));
  let server: NfsServer;
  let stateDir: string;
  let t: { port: number };
  before(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-reload-'));
    const specs = await source();
    const exports = await Promise.all(specs.map(async (s) => ({ ...s, backend: await s.backend() })));
    server = new NfsServer({ host: '127.0.0.1', port: 0, portmap: false, udp: false, stateDir, exports, reloadSource: source });
    await server.start();
    t = { port: server.address().port };
  });
  after(async () => {
    await server?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  test('added, changed and removed exports apply on connections that stay open', async () => {
    const c = await host(t, '127.0.0.1');
    const other = await host(t, '127.0.0.2');
    try {
      const a = (await c.mount.mnt('/a')).fhandle;
      const f = (await c.nfs.create({ where: { dir: a, name: Buffer.from('f') }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } })).obj!;
      const otherA = (await other.mount.mnt('/a')).fhandle;
      assert.equal(await mntStatus(c, '/b'), MountStat3.NOENT);

      // /a becomes read-only for 127.0.0.1 and is no longer offered to 127.0.0.2; /b appears.
      text = '/a 127.0.0.1(ro,insecure,no_root_squash)\n/b *(rw,insecure)';
      const r1 = await server.reload();
      assert.deepEqual([r1.added, r1.kept, r1.removed], [['/b'], ['/a'], []]);
      const w = { file: f, offset: 0n, count: 1, stable: StableHow.FILE_SYNC, data: Buffer.from('x') };
      assert.equal((await c.nfs.call(WRITE, w)).status, NfsStat3.ROFS, 'changed options apply to the next call');
      assert.equal((await other.nfs.call(GETATTR, { object: otherA })).status, NfsStat3.ACCES, 'a host taken off the list is refused at once');
      const b = (await c.mount.mnt('/b')).fhandle;
      assert.equal((await c.nfs.call(GETATTR, { object: b })).status, NfsStat3.OK);

      // /a leaves the file: released as by eject, its handles stale; /b untouched.
      text = '/b *(rw,insecure)';
      const r2 = await server.reload();
      assert.deepEqual([r2.added, r2.kept, r2.removed.map((e) => [e.export, e.ok, e.flushed])], [[], ['/b'], [['/a', true, true]]]);
      assert.equal((await c.nfs.call(GETATTR, { object: f })).status, NfsStat3.STALE);
      assert.equal(await mntStatus(c, '/a'), MountStat3.NOENT);
      assert.equal((await c.nfs.call(GETATTR, { object: b })).status, NfsStat3.OK);
      assert.equal(server.exports.list().length, 1);

      // Back again: a new export with the same path (the memory backend's files are gone with the old one).
      text = '/b *(rw,insecure)\n/a 127.0.0.1(rw,insecure)';
      const r3 = await server.reload();
      assert.deepEqual(r3.added, ['/a']);
      assert.equal(await mntStatus(c, '/a'), MountStat3.OK);
    } finally {
      await c.close();
      await other.close();
    }
  });

  test('a malformed file changes nothing and says where it is wrong', async () => {
    text = '/b *(rw,insecure)\n/a 127.0.0.1(rw,insecure)';
    await server.reload();
    const before = made.length;
    text = '/b *(rw,insecure)\n/c 127.0.0.1(rw,bogus)';
    await assert.rejects(server.reload(), /^ExportsFileError: exports:2:17: unknown option "bogus"$/);
    assert.deepEqual(server.exports.list().map((e) => e.path).sort(), ['/a', '/b']);
    assert.equal(made.length, before, 'no backend made for a file that did not parse');
    const c = await host(t, '127.0.0.1');
    try {
      assert.equal(await mntStatus(c, '/a'), MountStat3.OK);
    } finally {
      await c.close();
    }
  });

  test('an fsid that changes is another export: old handles go stale', async () => {
    text = '/b *(rw,insecure,fsid=1)';
    const c = await host(t, '127.0.0.1');
    try {
      await server.reload();
      const b = (await c.mount.mnt('/b')).fhandle;
      text = '/b *(rw,insecure,fsid=2)';
      const r = await server.reload();
      assert.deepEqual([r.added, r.removed.map((e) => e.export)], [['/b'], ['/b']]);
      assert.equal((await c.nfs.call(GETATTR, { object: b })).status, NfsStat3.STALE);
      assert.equal((await c.nfs.call(GETATTR, { object: (await c.mount.mnt('/b')).fhandle })).status, NfsStat3.OK);
    } finally {
      await c.close();
    }
  });

  test('the control socket reloads too (nfs-node reload)', async () => {
    text = '/b *(rw,insecure,fsid=2)\n/d *(ro,insecure)';
    const r = (await askServer(stateDir, 'reload')) as ReloadReport;
    assert.deepEqual(r.added, ['/d']);
    text = '/d *(nope)';
    await assert.rejects(askServer(stateDir, 'reload'), /exports:1:6: unknown option "nope"/);
    assert.deepEqual(server.exports.list().map((e) => e.path).sort(), ['/b', '/d']);
  });

  test('root squashing follows the reload too', async () => {
    text = '/b *(rw,insecure,fsid=2,no_root_squash)';
    await server.reload();
    const c = await host(t, '127.0.0.1', { auth: ROOT });
    try {
      const b = (await c.mount.mnt('/b')).fhandle;
      const byRoot = (await c.nfs.create({ where: { dir: b, name: Buffer.from('r') }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } })).obj!;
      assert.equal((await c.nfs.getattr({ object: byRoot })).objAttributes.uid, 0);
      text = '/b *(rw,insecure,fsid=2,root_squash)';
      await server.reload();
      assert.equal((await c.nfs.call(GETATTR, { object: b })).status, NfsStat3.OK);
      const res = await c.nfs.call(WRITE, { file: byRoot, offset: 0n, count: 1, stable: StableHow.FILE_SYNC, data: Buffer.from('x') });
      assert.equal(res.status, NfsStat3.ACCES, "root squashed to nobody may not write root's 0644 file");
    } finally {
      await c.close();
    }
  });
});
