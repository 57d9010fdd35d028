/** GETATTR and SETATTR end to end; ROFS for every modifying procedure on a read-only export. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateMode, Ftype3, NfsStat3, StableHow, TimeHow } from '../../src/proto/nfs3/constants.js';
import { CREATE } from '../../src/proto/nfs3/create.js';
import { LINK } from '../../src/proto/nfs3/link.js';
import { MKDIR } from '../../src/proto/nfs3/mkdir.js';
import { MKNOD } from '../../src/proto/nfs3/mknod.js';
import { REMOVE } from '../../src/proto/nfs3/remove.js';
import { RENAME } from '../../src/proto/nfs3/rename.js';
import { RMDIR } from '../../src/proto/nfs3/rmdir.js';
import { SETATTR } from '../../src/proto/nfs3/setattr.js';
import { SYMLINK } from '../../src/proto/nfs3/symlink.js';
import { WRITE } from '../../src/proto/nfs3/write.js';
import { as, BACKENDS, expectStatus, forEachBackend, name, ns, openMultiExport, USER, type MultiExport } from './harness.js';

forEachBackend('GETATTR/SETATTR', (env) => {
  test('GETATTR of the root: a directory, and the same fileid and fsid as every object of the export', async () => {
    const e = env();
    const a = await e.getattr(e.root);
    assert.equal(a.type, Ftype3.DIR);
    assert.ok(a.nlink >= 2);
    const f = await e.getattr(await e.file(await e.fresh(), 'f', 'abc'));
    assert.equal(f.type, Ftype3.REG);
    assert.equal(f.size, 3n);
    assert.equal(f.fsid, a.fsid);
    assert.notEqual(f.fileid, a.fileid);
  });

  test('SETATTR mode, uid and gid: wcc before/after and the new values', async () => {
    const e = env();
    const fh = await e.file(await e.fresh(), 'f', 'x', { mode: 0o644 });
    const before = await e.getattr(fh);
    const res = await e.nfs.setattr({ object: fh, newAttributes: { mode: 0o600, uid: 1234, gid: 4321 } });
    assert.equal(res.objWcc.before?.size, 1n);
    assert.deepEqual(res.objWcc.before?.ctime, before.ctime);
    const a = res.objWcc.after!;
    assert.equal(a.mode & 0o7777, 0o600);
    assert.equal(a.uid, 1234);
    assert.equal(a.gid, 4321);
    assert.deepEqual(await e.getattr(fh), a);
  });

  test('SETATTR size truncates and extends (zero-filled), with wcc sizes', async () => {
    const e = env();
    const fh = await e.file(await e.fresh(), 'f', 'hello world');
    const shrink = await e.nfs.setattr({ object: fh, newAttributes: { size: 5n } });
    assert.equal(shrink.objWcc.before?.size, 11n);
    assert.equal(shrink.objWcc.after?.size, 5n);
    const grow = await e.nfs.setattr({ object: fh, newAttributes: { size: 8n } });
    assert.equal(grow.objWcc.before?.size, 5n);
    assert.equal(grow.objWcc.after?.size, 8n);
    const r = await e.nfs.read({ file: fh, offset: 0n, count: 100 });
    assert.deepEqual(r.data, Buffer.concat([Buffer.from('hello'), Buffer.alloc(3)]));
    assert.equal(r.eof, true);
  });

  test('SETATTR times: client time exactly, server time close to now', async () => {
    const e = env();
    const fh = await e.file(await e.fresh(), 'f');
    const atime = { seconds: 1_000_000_000, nseconds: 5000 };
    const mtime = { seconds: 1_200_000_000, nseconds: 0 };
    const set = await e.nfs.setattr({
      object: fh,
      newAttributes: { atime: { how: TimeHow.SET_TO_CLIENT_TIME, time: atime }, mtime: { how: TimeHow.SET_TO_CLIENT_TIME, time: mtime } },
    });
    assert.deepEqual(set.objWcc.after?.atime, atime);
    assert.deepEqual(set.objWcc.after?.mtime, mtime);
    const now = Date.now() / 1000;
    const srv = await e.nfs.setattr({ object: fh, newAttributes: { mtime: { how: TimeHow.SET_TO_SERVER_TIME } } });
    assert.deepEqual(srv.objWcc.before?.mtime, mtime);
    const got = srv.objWcc.after!.mtime.seconds;
    assert.ok(Math.abs(got - now) < 600, `server time ${got} vs now ${now}`);
    assert.deepEqual(srv.objWcc.after?.atime, atime, 'atime left alone');
  });

  test('SETATTR guard: a wrong ctime -> NOT_SYNC and nothing changes; the right one -> OK', async () => {
    const e = env();
    const fh = await e.file(await e.fresh(), 'f', 'data', { mode: 0o644 });
    const { ctime } = await e.getattr(fh);
    const wrong = { seconds: ctime.seconds - 1, nseconds: ctime.nseconds };
    const res = expectStatus(await e.nfs.call(SETATTR, { object: fh, newAttributes: { mode: 0o600 }, guard: wrong }), NfsStat3.NOT_SYNC);
    assert.equal(res.objWcc.after?.mode! & 0o777, 0o644, 'NOT_SYNC reply carries the unchanged attributes');
    assert.equal((await e.getattr(fh)).mode & 0o777, 0o644);
    const ok = await e.nfs.setattr({ object: fh, newAttributes: { mode: 0o600 }, guard: ctime });
    assert.equal(ok.objWcc.after!.mode & 0o777, 0o600);
    assert.ok(ns(ok.objWcc.after!.ctime) >= ns(ctime));
  });

  test('SETATTR by a non-owner -> PERM (chmod) / ACCES (size of a file without write permission)', async () => {
    const e = env();
    const fh = await e.file(await e.fresh(), 'f', 'data', { mode: 0o644 });
    const chmod = await e.nfs.call(SETATTR, { object: fh, newAttributes: { mode: 0o666 } }, as(USER));
    expectStatus(chmod, NfsStat3.PERM, 'chmod by non-owner');
    const trunc = await e.nfs.call(SETATTR, { object: fh, newAttributes: { size: 0n } }, as(USER));
    expectStatus(trunc, NfsStat3.ACCES, 'truncate without write permission');
    assert.equal((await e.getattr(fh)).size, 4n);
  });

  test('SETATTR size of a directory -> INVAL or ISDIR, and the directory is unchanged', async () => {
    const e = env();
    const dir = await e.fresh();
    const res = await e.nfs.call(SETATTR, { object: dir, newAttributes: { size: 0n } });
    assert.ok([NfsStat3.INVAL, NfsStat3.ISDIR].includes(res.status), NfsStat3[res.status]);
    assert.equal((await e.getattr(dir)).type, Ftype3.DIR);
  });
});

for (const kind of BACKENDS) {
  describe(`read-only export [${kind}]`, () => {
    let m: MultiExport;
    before(async () => {
      m = await openMultiExport(kind);
    });
    after(() => m.stop());

    test('every modifying procedure answers ROFS; reads still work through the read-only view', async () => {
      // Made through /rw, seen through /ro (same backend).
      await m.nfs.mkdir({ where: { dir: m.rw, name: name('d') }, attributes: { mode: 0o777 } });
      const made = await m.nfs.create({ where: { dir: m.rw, name: name('f') }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } });
      await m.nfs.write({ file: made.obj!, offset: 0n, count: 2, stable: StableHow.FILE_SYNC, data: name('ro') });
      const f = Buffer.from((await m.nfs.lookup({ what: { dir: m.ro, name: name('f') } })).object);
      const dir = m.ro;
      const where = { dir, name: name('new') };
      const calls: [string, Promise<{ status: NfsStat3 }>][] = [
        ['SETATTR', m.nfs.call(SETATTR, { object: f, newAttributes: { mode: 0o600 } })],
        ['WRITE', m.nfs.call(WRITE, { file: f, offset: 0n, count: 1, stable: StableHow.FILE_SYNC, data: name('x') })],
        ['CREATE', m.nfs.call(CREATE, { where, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } })],
        ['CREATE existing', m.nfs.call(CREATE, { where: { dir, name: name('f') }, how: { mode: CreateMode.GUARDED, objAttributes: {} } })],
        ['MKDIR', m.nfs.call(MKDIR, { where, attributes: {} })],
        ['SYMLINK', m.nfs.call(SYMLINK, { where, symlink: { symlinkAttributes: {}, symlinkData: name('t') } })],
        ['MKNOD', m.nfs.call(MKNOD, { where, what: { type: Ftype3.FIFO, pipeAttributes: {} } })],
        ['REMOVE', m.nfs.call(REMOVE, { object: { dir, name: name('f') } })],
        ['RMDIR', m.nfs.call(RMDIR, { object: { dir, name: name('d') } })],
        ['RENAME', m.nfs.call(RENAME, { from: { dir, name: name('f') }, to: { dir, name: name('g') } })],
        ['LINK', m.nfs.call(LINK, { file: f, link: { dir, name: name('g') } })],
      ];
      for (const [what, p] of calls) expectStatus(await p, NfsStat3.ROFS, what);
      // Nothing changed, and reads work.
      assert.equal((await m.nfs.read({ file: f, offset: 0n, count: 10 })).data.toString(), 'ro');
      const a = (await m.nfs.getattr({ object: f })).objAttributes;
      assert.equal(a.size, 2n);
      const names = (await m.nfs.readdir({ dir, cookie: 0n, cookieverf: Buffer.alloc(8), count: 4096 })).reply.entries.map((x) => x.name.toString());
      assert.deepEqual(names.filter((n) => !n.startsWith('.')).sort(), ['d', 'f']);
    });

    test('RENAME and LINK across two exports -> XDEV', async () => {
      const made = await m.nfs.create({ where: { dir: m.rw, name: name('x') }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } });
      const rn = await m.nfs.call(RENAME, { from: { dir: m.rw, name: name('x') }, to: { dir: m.other, name: name('x') } });
      expectStatus(rn, NfsStat3.XDEV, 'RENAME to another backend');
      const ln = await m.nfs.call(LINK, { file: made.obj!, link: { dir: m.other, name: name('x') } });
      expectStatus(ln, NfsStat3.XDEV, 'LINK into another backend');
      // Two exports of one backend are still two exports.
      const rw2 = await m.nfs.call(RENAME, { from: { dir: m.rw, name: name('x') }, to: { dir: m.ro, name: name('y') } });
      assert.ok([NfsStat3.XDEV, NfsStat3.ROFS].includes(rw2.status), NfsStat3[rw2.status]);
      await m.nfs.lookup({ what: { dir: m.rw, name: name('x') } });
      expectStatus(await m.nfs.call(REMOVE, { object: { dir: m.other, name: name('x') } }), NfsStat3.NOENT);
    });
  });
}
