/** REMOVE, RMDIR, RENAME and LINK end to end (XDEV is in attributes.test.ts, with the multi-export server). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ftype3, NfsStat3, TimeHow } from '../../src/proto/nfs3/constants.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { LINK } from '../../src/proto/nfs3/link.js';
import { LOOKUP } from '../../src/proto/nfs3/lookup.js';
import { REMOVE } from '../../src/proto/nfs3/remove.js';
import { RENAME } from '../../src/proto/nfs3/rename.js';
import { RMDIR } from '../../src/proto/nfs3/rmdir.js';
import type { FileHandle } from '../../src/proto/nfs3/types.js';
import { as, expectStatus, forEachBackend, name, ns, USER, type E2e } from './harness.js';

const OLD = { seconds: 1_000_000_000, nseconds: 0 };

async function aged(e: E2e, dir: FileHandle): Promise<FileHandle> {
  await e.nfs.setattr({ object: dir, newAttributes: { mtime: { how: TimeHow.SET_TO_CLIENT_TIME, time: OLD } } });
  return dir;
}

async function mkdir(e: E2e, dir: FileHandle, n: string, mode = 0o777): Promise<FileHandle> {
  return Buffer.from((await e.nfs.mkdir({ where: { dir, name: name(n) }, attributes: { mode } })).obj!);
}

forEachBackend('REMOVE/RMDIR/RENAME/LINK', (env) => {
  test('REMOVE: the name goes, dir wcc shows the change, the handle turns STALE', async () => {
    const e = env();
    const dir = await aged(e, await e.fresh());
    const fh = await e.file(dir, 'f', 'x');
    await aged(e, dir);
    const res = await e.nfs.remove({ object: { dir, name: name('f') } });
    assert.deepEqual(res.dirWcc.before?.mtime, OLD);
    assert.ok(ns(res.dirWcc.after!.mtime) > ns(OLD));
    expectStatus(await e.nfs.call(LOOKUP, { what: { dir, name: name('f') } }), NfsStat3.NOENT);
    expectStatus(await e.nfs.call(GETATTR, { object: fh }), NfsStat3.STALE);
  });

  test('REMOVE errors: NOENT (with dir wcc), ISDIR for a directory, NOTDIR', async () => {
    const e = env();
    const dir = await e.fresh();
    const r = expectStatus(await e.nfs.call(REMOVE, { object: { dir, name: name('nope') } }), NfsStat3.NOENT);
    assert.ok(r.dirWcc.after);
    await mkdir(e, dir, 'sub');
    expectStatus(await e.nfs.call(REMOVE, { object: { dir, name: name('sub') } }), NfsStat3.ISDIR);
    const f = await e.file(dir, 'f');
    expectStatus(await e.nfs.call(REMOVE, { object: { dir: f, name: name('x') } }), NfsStat3.NOTDIR);
    // The fresh directory is 0777: anyone may remove from it.
    expectStatus(await e.nfs.call(REMOVE, { object: { dir, name: name('f') } }, as(USER)), NfsStat3.OK);
  });

  test('REMOVE by another user in a 0755 root directory -> ACCES; of . or .. -> ACCES', async () => {
    const e = env();
    const dir = await mkdir(e, await e.fresh(), 'd', 0o755);
    await e.file(dir, 'f');
    expectStatus(await e.nfs.call(REMOVE, { object: { dir, name: name('f') } }, as(USER)), NfsStat3.ACCES);
    expectStatus(await e.nfs.call(REMOVE, { object: { dir, name: name('.') } }), NfsStat3.ACCES);
    expectStatus(await e.nfs.call(REMOVE, { object: { dir, name: name('..') } }), NfsStat3.ACCES);
    await e.lookup(dir, 'f');
  });

  test('RMDIR: removes an empty directory (parent nlink drops); NOTEMPTY; NOTDIR; NOENT; . -> INVAL; .. -> NOTEMPTY', async () => {
    const e = env();
    const dir = await e.fresh();
    const sub = await mkdir(e, dir, 'sub');
    const nlink = (await e.getattr(dir)).nlink;
    await e.file(sub, 'f');
    expectStatus(await e.nfs.call(RMDIR, { object: { dir, name: name('sub') } }), NfsStat3.NOTEMPTY);
    await e.nfs.remove({ object: { dir: sub, name: name('f') } });
    const res = await e.nfs.rmdir({ object: { dir, name: name('sub') } });
    assert.equal(res.dirWcc.after?.nlink, nlink - 1);
    expectStatus(await e.nfs.call(GETATTR, { object: sub }), NfsStat3.STALE);
    expectStatus(await e.nfs.call(RMDIR, { object: { dir, name: name('sub') } }), NfsStat3.NOENT);
    await e.file(dir, 'f');
    expectStatus(await e.nfs.call(RMDIR, { object: { dir, name: name('f') } }), NfsStat3.NOTDIR);
    expectStatus(await e.nfs.call(RMDIR, { object: { dir, name: name('.') } }), NfsStat3.INVAL);
    expectStatus(await e.nfs.call(RMDIR, { object: { dir, name: name('..') } }), NfsStat3.NOTEMPTY);
  });

  test('RENAME within and across directories: both wcc, the file keeps its handle, a target is replaced', async () => {
    const e = env();
    const a = await aged(e, await e.fresh());
    const b = await aged(e, await e.fresh());
    const f = await e.file(a, 'f', 'moving');
    await aged(e, a);
    const victim = await e.file(b, 'g', 'old');
    await aged(e, b);
    const res = await e.nfs.rename({ from: { dir: a, name: name('f') }, to: { dir: b, name: name('g') } });
    assert.deepEqual(res.fromdirWcc.before?.mtime, OLD);
    assert.deepEqual(res.todirWcc.before?.mtime, OLD);
    assert.ok(ns(res.fromdirWcc.after!.mtime) > ns(OLD));
    assert.ok(ns(res.todirWcc.after!.mtime) > ns(OLD));
    expectStatus(await e.nfs.call(LOOKUP, { what: { dir: a, name: name('f') } }), NfsStat3.NOENT);
    assert.equal((await e.nfs.read({ file: f, offset: 0n, count: 10 })).data.toString(), 'moving');
    assert.equal((await e.getattr(await e.lookup(b, 'g'))).fileid, (await e.getattr(f)).fileid);
    expectStatus(await e.nfs.call(GETATTR, { object: victim }), NfsStat3.STALE);
    // Onto itself: nothing happens.
    await e.nfs.rename({ from: { dir: b, name: name('g') }, to: { dir: b, name: name('g') } });
    await e.lookup(b, 'g');
  });

  test('RENAME errors: NOENT, file onto dir -> ISDIR, dir onto file -> NOTDIR, onto non-empty dir -> NOTEMPTY (EXIST), into itself -> INVAL', async () => {
    const e = env();
    const dir = await e.fresh();
    const rn = (from: string, to: string, toDir = dir, fromDir = dir) =>
      e.nfs.call(RENAME, { from: { dir: fromDir, name: name(from) }, to: { dir: toDir, name: name(to) } });
    expectStatus(await rn('nope', 'x'), NfsStat3.NOENT);
    await e.file(dir, 'f');
    const d = await mkdir(e, dir, 'd');
    const full = await mkdir(e, dir, 'full');
    await e.file(full, 'x');
    expectStatus(await rn('f', 'd'), NfsStat3.ISDIR);
    expectStatus(await rn('d', 'f'), NfsStat3.NOTDIR);
    const ne = await rn('d', 'full');
    assert.ok([NfsStat3.NOTEMPTY, NfsStat3.EXIST].includes(ne.status), NfsStat3[ne.status]);
    expectStatus(await rn('d', 'inside', d), NfsStat3.INVAL);
    expectStatus(await rn('.', 'x'), NfsStat3.PERM);
    expectStatus(await rn('f', 'a/b'), NfsStat3.INVAL);
    expectStatus(await rn('f', 'n'.repeat(256)), NfsStat3.NAMETOOLONG);
    // An empty directory may replace an empty directory.
    const empty = await mkdir(e, dir, 'empty');
    await e.nfs.rename({ from: { dir, name: name('d') }, to: { dir, name: name('empty') } });
    expectStatus(await e.nfs.call(GETATTR, { object: empty }), NfsStat3.STALE);
    assert.equal((await e.getattr(await e.lookup(dir, 'empty'))).fileid, (await e.getattr(d)).fileid);
  });

  test('RENAME of a subdirectory moves ".." with it', async () => {
    const e = env();
    const a = await e.fresh();
    const b = await e.fresh();
    const sub = await mkdir(e, a, 'sub');
    const before = [(await e.getattr(a)).nlink, (await e.getattr(b)).nlink];
    const res = await e.nfs.rename({ from: { dir: a, name: name('sub') }, to: { dir: b, name: name('sub') } });
    assert.equal(res.fromdirWcc.after?.nlink, before[0]! - 1);
    assert.equal(res.todirWcc.after?.nlink, before[1]! + 1);
    const up = await e.nfs.lookup({ what: { dir: sub, name: name('..') } });
    assert.equal(up.objAttributes?.fileid, (await e.getattr(b)).fileid);
  });

  test('LINK: a second name, nlink 2, linkdir wcc; EXIST; of a directory -> refused; NOTDIR target', async () => {
    const e = env();
    const dir = await aged(e, await e.fresh());
    const f = await e.file(dir, 'f', 'shared');
    await aged(e, dir);
    const res = await e.nfs.link({ file: f, link: { dir, name: name('g') } });
    assert.equal(res.fileAttributes?.nlink, 2);
    assert.deepEqual(res.linkdirWcc.before?.mtime, OLD);
    assert.ok(ns(res.linkdirWcc.after!.mtime) > ns(OLD));
    const g = await e.lookup(dir, 'g');
    assert.equal((await e.getattr(g)).fileid, (await e.getattr(f)).fileid);
    await e.nfs.remove({ object: { dir, name: name('f') } });
    assert.equal((await e.getattr(f)).nlink, 1, 'the handle lives on through the other name');
    const ex = expectStatus(await e.nfs.call(LINK, { file: f, link: { dir, name: name('g') } }), NfsStat3.EXIST);
    assert.equal(ex.fileAttributes?.nlink, 1);
    const sub = await mkdir(e, dir, 'sub');
    const ld = await e.nfs.call(LINK, { file: sub, link: { dir, name: name('sub2') } });
    assert.ok([NfsStat3.ISDIR, NfsStat3.PERM].includes(ld.status), `LINK of a directory: ${NfsStat3[ld.status]}`);
    expectStatus(await e.nfs.call(LINK, { file: f, link: { dir: g, name: name('x') } }), NfsStat3.NOTDIR);
    expectStatus(await e.nfs.call(LINK, { file: f, link: { dir, name: name('..') } }), NfsStat3.EXIST);
    assert.equal((await e.getattr(g)).type, Ftype3.REG);
  });
});
