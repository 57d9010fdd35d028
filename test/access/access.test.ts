/**
 * Per-host access end to end: test clients bound to other loopback addresses
 * (127.0.0.2 is another host) against a server whose export has an
 * exports(5) client list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authSys } from '../../src/client/auth.js';
import { isRoot } from '../../src/server/state-dir.js';
import { MountStat3 } from '../../src/proto/mount/constants.js';
import { ACCESS } from '../../src/proto/nfs3/access.js';
import { COMMIT } from '../../src/proto/nfs3/commit.js';
import { CreateMode, Ftype3, NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { CREATE } from '../../src/proto/nfs3/create.js';
import { FSINFO } from '../../src/proto/nfs3/fsinfo.js';
import { FSSTAT } from '../../src/proto/nfs3/fsstat.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { LINK } from '../../src/proto/nfs3/link.js';
import { LOOKUP } from '../../src/proto/nfs3/lookup.js';
import { MKDIR } from '../../src/proto/nfs3/mkdir.js';
import { MKNOD } from '../../src/proto/nfs3/mknod.js';
import { PATHCONF } from '../../src/proto/nfs3/pathconf.js';
import { READ } from '../../src/proto/nfs3/read.js';
import { READDIR } from '../../src/proto/nfs3/readdir.js';
import { READDIRPLUS } from '../../src/proto/nfs3/readdirplus.js';
import { READLINK } from '../../src/proto/nfs3/readlink.js';
import { REMOVE } from '../../src/proto/nfs3/remove.js';
import { RENAME } from '../../src/proto/nfs3/rename.js';
import { RMDIR } from '../../src/proto/nfs3/rmdir.js';
import { SETATTR } from '../../src/proto/nfs3/setattr.js';
import { SYMLINK } from '../../src/proto/nfs3/symlink.js';
import { WRITE } from '../../src/proto/nfs3/write.js';
import type { ProcedureCodec } from '../../src/proto/procedure.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { fromLine, host, mntStatus, type Host } from './hosts.js';

const HOST = '127.0.0.1';
const OTHER = '127.0.0.2';
const THIRD = '127.0.0.3';
const ROOT = authSys({ uid: 0, gid: 0 });
const USER = authSys({ uid: 1000, gid: 1000 });


const name = (s: string) => Buffer.from(s);

/** Every NFSv3 procedure that takes a handle, called with `dir` (a directory) and `file` (a regular file). */
function everyCall(dir: Buffer, file: Buffer): Array<[string, ProcedureCodec<any, { status: NfsStat3 }>, unknown]> {
  const where = (n: string) => ({ dir, name: name(n) });
  return [
    ['GETATTR', GETATTR, { object: file }],
    ['SETATTR', SETATTR, { object: file, newAttributes: { mode: 0o600 } }],
    ['LOOKUP', LOOKUP, { what: where('f') }],
    ['ACCESS', ACCESS, { object: file, access: 0x3f }],
    ['READLINK', READLINK, { symlink: file }],
    ['READ', READ, { file, offset: 0n, count: 10 }],
    ['WRITE', WRITE, { file, offset: 0n, count: 1, stable: StableHow.FILE_SYNC, data: Buffer.from('x') }],
    ['CREATE', CREATE, { where: where('new'), how: { mode: CreateMode.UNCHECKED, objAttributes: {} } }],
    ['MKDIR', MKDIR, { where: where('newdir'), attributes: {} }],
    ['SYMLINK', SYMLINK, { where: where('sl'), symlink: { symlinkAttributes: {}, symlinkData: name('f') } }],
    ['MKNOD', MKNOD, { where: where('fifo'), what: { type: Ftype3.FIFO, pipeAttributes: {} } }],
    ['REMOVE', REMOVE, { object: where('f') }],
    ['RMDIR', RMDIR, { object: where('d') }],
    ['RENAME', RENAME, { from: where('f'), to: where('g') }],
    ['LINK', LINK, { file, link: where('l') }],
    ['READDIR', READDIR, { dir, cookie: 0n, cookieverf: Buffer.alloc(8), count: 4096 }],
    ['READDIRPLUS', READDIRPLUS, { dir, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 4096, maxcount: 8192 }],
    ['FSSTAT', FSSTAT, { fsroot: dir }],
    ['FSINFO', FSINFO, { fsroot: dir }],
    ['PATHCONF', PATHCONF, { object: dir }],
    ['COMMIT', COMMIT, { file, offset: 0n, count: 0 }],
  ];
}

async function createFile(h: Host, dir: Buffer, n: string, auth = ROOT): Promise<Buffer> {
  const res = await h.nfs.create({ where: { dir, name: name(n) }, how: { mode: CreateMode.UNCHECKED, objAttributes: { mode: 0o666 } } }, { auth });
  return res.obj!;
}

describe('per-host access', () => {
  let t: TestServer;
  let allowed: Host;
  let denied: Host;
  let root: Buffer;
  let file: Buffer;
  before(async () => {
    t = await startTestServer({ exportOptions: fromLine('127.0.0.1(rw,insecure,no_root_squash) 127.0.0.3(ro,insecure,no_root_squash)') });
    allowed = await host(t, HOST);
    denied = await host(t, OTHER);
    root = (await allowed.mount.mnt(t.exportPath)).fhandle;
    file = await createFile(allowed, root, 'f');
  });
  after(async () => {
    await allowed?.close();
    await denied?.close();
    await t?.stop();
  });

  test('a host not in the list: MNT answers ACCES', async () => {
    assert.equal(await mntStatus(denied, t.exportPath), MountStat3.ACCES);
    assert.equal(await mntStatus(allowed, t.exportPath), MountStat3.OK);
  });

  test('EXPORT lists the client specs as groups', async () => {
    const list = await denied.mount.exports();
    assert.deepEqual(list, [{ dir: t.exportPath, groups: ['127.0.0.1', '127.0.0.3'] }]);
  });

  test('a handle leaked to another host: every NFS procedure answers ACCES', async () => {
    for (const [proc, codec, args] of everyCall(root, file)) {
      const res = await denied.nfs.call(codec, args);
      assert.equal(res.status, NfsStat3.ACCES, `${proc} from ${OTHER}: ${NfsStat3[res.status]}`);
    }
    // and the allowed host still can, on the same server at the same time
    assert.equal((await allowed.nfs.call(GETATTR, { object: file })).status, NfsStat3.OK);
  });

  test('ro for one host and rw for another on the same export', async () => {
    const ro = await host(t, THIRD);
    try {
      assert.equal(await mntStatus(ro, t.exportPath), MountStat3.OK);
      const w = { file, offset: 0n, count: 1, stable: StableHow.FILE_SYNC, data: Buffer.from('y') };
      assert.equal((await ro.nfs.call(WRITE, w)).status, NfsStat3.ROFS);
      assert.equal((await ro.nfs.call(CREATE, { where: { dir: root, name: name('ro-new') }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } })).status, NfsStat3.ROFS);
      assert.equal((await ro.nfs.call(READ, { file, offset: 0n, count: 1 })).status, NfsStat3.OK);
      const acc = await ro.nfs.access({ object: file, access: 0x3f });
      assert.equal(acc.access & 0x1c, 0, 'ACCESS grants no MODIFY/EXTEND/DELETE to the ro host');
      assert.equal((await allowed.nfs.call(WRITE, w)).status, NfsStat3.OK);
      assert.notEqual((await allowed.nfs.access({ object: file, access: 0x3f })).access & 0x04, 0);
    } finally {
      await ro.close();
    }
  });
});

describe('squashing per client', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      exportOptions: fromLine(
        '127.0.0.1(rw,insecure,all_squash,anonuid=4321,anongid=8765) 127.0.0.2(rw,insecure,anonuid=555,anongid=666) 127.0.0.3(rw,insecure,no_root_squash)',
      ),
    });
    // The memory backend's root is root's and 0755: an unsquashed admin host opens it to the squashed identities.
    const admin = await host(t, THIRD);
    const root = (await admin.mount.mnt(t.exportPath)).fhandle;
    await admin.nfs.setattr({ object: root, newAttributes: { mode: 0o777 } });
    await admin.close();
  });
  after(async () => {
    await t?.stop();
  });

  test('all_squash with anonuid/anongid: files created by any user are owned by the anon ids', async () => {
    const h = await host(t, HOST);
    try {
      const root = (await h.mount.mnt(t.exportPath)).fhandle;
      for (const [who, auth] of [['user', USER], ['root', ROOT]] as const) {
        const fh = await createFile(h, root, `as-${who}`, auth);
        const a = await h.nfs.getattr({ object: fh });
        assert.deepEqual([a.objAttributes.uid, a.objAttributes.gid], [4321, 8765], who);
      }
    } finally {
      await h.close();
    }
  });

  test('root_squash (the default) with anonuid/anongid: root maps to them, users stay themselves', async () => {
    const h = await host(t, OTHER);
    try {
      const root = (await h.mount.mnt(t.exportPath)).fhandle;
      const byRoot = await h.nfs.getattr({ object: await createFile(h, root, 'r2', ROOT) });
      assert.deepEqual([byRoot.objAttributes.uid, byRoot.objAttributes.gid], [555, 666]);
      const byUser = await h.nfs.getattr({ object: await createFile(h, root, 'u2', USER) });
      assert.deepEqual([byUser.objAttributes.uid, byUser.objAttributes.gid], [1000, 1000]);
    } finally {
      await h.close();
    }
  });
});

describe('secure', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ exportOptions: fromLine('127.0.0.1(rw,secure,no_root_squash) 127.0.0.2(rw,insecure)') });
  });
  after(async () => {
    await t?.stop();
  });

  test('a client on a port >= 1024 gets MNT3ERR_ACCES and NFS3ERR_PERM (as rpc.mountd and knfsd)', async () => {
    const privileged = await host(t, HOST, { privilegedPort: true });
    const unprivileged = await host(t, HOST);
    try {
      const root = isRoot() ? (await privileged.mount.mnt(t.exportPath)).fhandle : undefined;
      assert.equal(await mntStatus(unprivileged, t.exportPath), MountStat3.ACCES);
      if (root) assert.equal((await unprivileged.nfs.call(GETATTR, { object: root })).status, NfsStat3.PERM);
    } finally {
      await privileged.close();
      await unprivileged.close();
    }
  });

  test('a client on a privileged port is served', { skip: !isRoot() && 'needs root to bind a port < 1024' }, async () => {
    const h = await host(t, HOST, { privilegedPort: true });
    try {
      const root = (await h.mount.mnt(t.exportPath)).fhandle;
      assert.equal((await h.nfs.call(GETATTR, { object: root })).status, NfsStat3.OK);
    } finally {
      await h.close();
    }
  });

  test('insecure for another host on the same export', async () => {
    const h = await host(t, OTHER);
    try {
      const root = (await h.mount.mnt(t.exportPath)).fhandle;
      assert.equal((await h.nfs.call(GETATTR, { object: root })).status, NfsStat3.OK);
    } finally {
      await h.close();
    }
  });
});

describe('the one-command default', () => {
  test('an export without a client list serves everyone, from any port', async () => {
    const t = await startTestServer();
    const h = await host(t, OTHER);
    try {
      const root = (await h.mount.mnt(t.exportPath)).fhandle;
      assert.equal((await h.nfs.call(GETATTR, { object: root })).status, NfsStat3.OK);
      assert.deepEqual(await h.mount.exports(), [{ dir: t.exportPath, groups: ['*'] }]);
    } finally {
      await h.close();
      await t.stop();
    }
  });
});
