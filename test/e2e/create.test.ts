/** CREATE, MKDIR, SYMLINK and MKNOD end to end. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateMode, Ftype3, NfsStat3, TimeHow } from '../../src/proto/nfs3/constants.js';
import { CREATE } from '../../src/proto/nfs3/create.js';
import { LOOKUP } from '../../src/proto/nfs3/lookup.js';
import { MKDIR } from '../../src/proto/nfs3/mkdir.js';
import { MKNOD } from '../../src/proto/nfs3/mknod.js';
import { SYMLINK } from '../../src/proto/nfs3/symlink.js';
import type { FileHandle, WccData } from '../../src/proto/nfs3/types.js';
import { as, expectStatus, forEachBackend, name, ns, USER, type E2e } from './harness.js';

const OLD = { seconds: 1_000_000_000, nseconds: 0 };

/** Sets the directory's mtime far in the past, so that any change made to it shows in wcc. */
async function aged(e: E2e, dir: FileHandle): Promise<FileHandle> {
  await e.nfs.setattr({ object: dir, newAttributes: { mtime: { how: TimeHow.SET_TO_CLIENT_TIME, time: OLD } } });
  return dir;
}

function assertDirChanged(wcc: WccData): void {
  assert.deepEqual(wcc.before?.mtime, OLD, 'wcc.before is the state just before');
  assert.ok(wcc.after, 'wcc.after present');
  assert.ok(ns(wcc.after.mtime) > ns(OLD), 'directory mtime changed');
}

const unchecked = (attrs = {}) => ({ mode: CreateMode.UNCHECKED as const, objAttributes: attrs });

forEachBackend('CREATE/MKDIR/SYMLINK/MKNOD', (env) => {
  test('CREATE makes a file with the asked mode, a handle that works, and dir wcc', async () => {
    const e = env();
    const dir = await aged(e, await e.fresh());
    const res = await e.nfs.create({ where: { dir, name: name('f') }, how: unchecked({ mode: 0o640 }) });
    assert.ok(res.obj);
    assert.equal(res.objAttributes?.type, Ftype3.REG);
    assert.equal(res.objAttributes!.mode & 0o777, 0o640);
    assert.equal(res.objAttributes?.size, 0n);
    assertDirChanged(res.dirWcc);
    assert.deepEqual(await e.getattr(Buffer.from(res.obj)), res.objAttributes);
  });

  test('CREATE UNCHECKED on an existing file succeeds on the same file (size given truncates)', async () => {
    const e = env();
    const dir = await e.fresh();
    const fh = await e.file(dir, 'f', 'contents');
    const again = await e.nfs.create({ where: { dir, name: name('f') }, how: unchecked() });
    assert.equal(again.objAttributes?.fileid, (await e.getattr(fh)).fileid);
    assert.equal((await e.getattr(fh)).size, 8n, 'no size: contents kept');
    await e.nfs.create({ where: { dir, name: name('f') }, how: unchecked({ size: 0n }) });
    assert.equal((await e.getattr(fh)).size, 0n);
  });

  test('CREATE GUARDED on an existing name -> EXIST with dir wcc', async () => {
    const e = env();
    const dir = await e.fresh();
    await e.file(dir, 'f', 'keep');
    const res = expectStatus(await e.nfs.call(CREATE, { where: { dir, name: name('f') }, how: { mode: CreateMode.GUARDED, objAttributes: {} } }), NfsStat3.EXIST);
    assert.ok(res.dirWcc.after);
    assert.equal((await e.getattr(await e.lookup(dir, 'f'))).size, 4n);
    const made = await e.nfs.create({ where: { dir, name: name('g') }, how: { mode: CreateMode.GUARDED, objAttributes: { mode: 0o600 } } });
    assert.equal(made.objAttributes!.mode & 0o777, 0o600);
  });

  test('CREATE EXCLUSIVE: a retransmission with the same verifier succeeds with the same handle; another verifier -> EXIST', async () => {
    const e = env();
    const dir = await e.fresh();
    const verf = Buffer.from('v3rif1er');
    const how = { mode: CreateMode.EXCLUSIVE as const, verf };
    const first = await e.nfs.create({ where: { dir, name: name('x') }, how });
    assert.ok(first.obj);
    const again = await e.nfs.create({ where: { dir, name: name('x') }, how });
    assert.deepEqual(Buffer.from(again.obj!), Buffer.from(first.obj));
    const other = await e.nfs.call(CREATE, { where: { dir, name: name('x') }, how: { mode: CreateMode.EXCLUSIVE, verf: Buffer.from('another!') } });
    expectStatus(other, NfsStat3.EXIST);
    // The client then sets the attributes it wanted (as RFC 1813 prescribes) and the file is ordinary.
    const set = await e.nfs.setattr({ object: Buffer.from(first.obj), newAttributes: { mode: 0o644, mtime: { how: TimeHow.SET_TO_SERVER_TIME } } });
    assert.equal(set.objWcc.after!.mode & 0o777, 0o644);
    // An existing file that was not made exclusively is EXIST for any verifier.
    await e.file(dir, 'plain');
    expectStatus(await e.nfs.call(CREATE, { where: { dir, name: name('plain') }, how }), NfsStat3.EXIST);
  });

  test('CREATE errors: NAMETOOLONG, NOTDIR, ACCES, INVAL (slash), EXIST (. and ..)', async () => {
    const e = env();
    const dir = await e.fresh();
    const f = await e.file(dir, 'f');
    const c = (d: FileHandle, n: Buffer, opts = {}) => e.nfs.call(CREATE, { where: { dir: d, name: n }, how: unchecked() }, opts);
    expectStatus(await c(dir, Buffer.alloc(256, 0x62)), NfsStat3.NAMETOOLONG);
    expectStatus(await c(f, name('x')), NfsStat3.NOTDIR);
    expectStatus(await c(dir, name('a/b')), NfsStat3.INVAL);
    expectStatus(await c(dir, name('.')), NfsStat3.EXIST);
    expectStatus(await c(dir, name('..')), NfsStat3.EXIST);
    const ro = Buffer.from((await e.nfs.mkdir({ where: { dir, name: name('ro') }, attributes: { mode: 0o755 } })).obj!);
    expectStatus(await c(ro, name('x'), as(USER)), NfsStat3.ACCES);
    const names = (await e.nfs.readdir({ dir, cookie: 0n, cookieverf: Buffer.alloc(8), count: 8192 })).reply.entries.map((x) => x.name.toString());
    assert.deepEqual(names.filter((n) => n !== '.' && n !== '..').sort(), ['f', 'ro']);
  });

  test('CREATE as another user: the file is owned by that user', async () => {
    const e = env();
    const dir = await e.fresh();
    const res = await e.nfs.create({ where: { dir, name: name('mine') }, how: unchecked({ mode: 0o600 }) }, as(USER));
    assert.equal(res.objAttributes?.uid, 1000);
    assert.equal(res.objAttributes?.gid, 1000);
  });

  test('MKDIR makes a directory (nlink 2, mode), dir wcc and parent nlink; EXIST; NAMETOOLONG; NOTDIR', async () => {
    const e = env();
    const dir = await aged(e, await e.fresh());
    const before = await e.getattr(dir);
    const res = await e.nfs.mkdir({ where: { dir, name: name('sub') }, attributes: { mode: 0o750 } });
    assert.equal(res.objAttributes?.type, Ftype3.DIR);
    assert.equal(res.objAttributes!.mode & 0o777, 0o750);
    assert.equal(res.objAttributes?.nlink, 2);
    assertDirChanged(res.dirWcc);
    assert.equal(res.dirWcc.after?.nlink, before.nlink + 1);
    expectStatus(await e.nfs.call(MKDIR, { where: { dir, name: name('sub') }, attributes: {} }), NfsStat3.EXIST);
    expectStatus(await e.nfs.call(MKDIR, { where: { dir, name: name('..') }, attributes: {} }), NfsStat3.EXIST);
    expectStatus(await e.nfs.call(MKDIR, { where: { dir, name: Buffer.alloc(300, 0x63) }, attributes: {} }), NfsStat3.NAMETOOLONG);
    const f = await e.file(dir, 'f');
    expectStatus(await e.nfs.call(MKDIR, { where: { dir: f, name: name('x') }, attributes: {} }), NfsStat3.NOTDIR);
    expectStatus(await e.nfs.call(MKDIR, { where: { dir, name: name('f') }, attributes: {} }), NfsStat3.EXIST);
  });

  test('SYMLINK makes a link whose READLINK is the data; EXIST on an existing name', async () => {
    const e = env();
    const dir = await aged(e, await e.fresh());
    const res = await e.nfs.symlink({ where: { dir, name: name('l') }, symlink: { symlinkAttributes: {}, symlinkData: name('/etc/passwd') } });
    assert.equal(res.objAttributes?.type, Ftype3.LNK);
    assertDirChanged(res.dirWcc);
    assert.equal((await e.nfs.readlink({ symlink: Buffer.from(res.obj!) })).data.toString(), '/etc/passwd');
    expectStatus(
      await e.nfs.call(SYMLINK, { where: { dir, name: name('l') }, symlink: { symlinkAttributes: {}, symlinkData: name('x') } }),
      NfsStat3.EXIST,
    );
  });

  test('MKNOD FIFO, socket, char and block devices; REG/DIR/LNK -> BADTYPE; EXIST', async () => {
    const e = env();
    const dir = await aged(e, await e.fresh());
    const fifo = await e.nfs.mknod({ where: { dir, name: name('fifo') }, what: { type: Ftype3.FIFO, pipeAttributes: { mode: 0o600 } } });
    assert.equal(fifo.objAttributes?.type, Ftype3.FIFO);
    assert.equal(fifo.objAttributes!.mode & 0o777, 0o600);
    assertDirChanged(fifo.dirWcc);
    const sock = await e.nfs.mknod({ where: { dir, name: name('sock') }, what: { type: Ftype3.SOCK, pipeAttributes: {} } });
    assert.equal(sock.objAttributes?.type, Ftype3.SOCK);
    const chr = await e.nfs.mknod({
      where: { dir, name: name('null') },
      what: { type: Ftype3.CHR, device: { devAttributes: { mode: 0o666 }, spec: { major: 1, minor: 3 } } },
    });
    assert.equal(chr.objAttributes?.type, Ftype3.CHR);
    assert.deepEqual(chr.objAttributes?.rdev, { major: 1, minor: 3 });
    const blk = await e.nfs.mknod({
      where: { dir, name: name('blk') },
      what: { type: Ftype3.BLK, device: { devAttributes: {}, spec: { major: 7, minor: 200 } } },
    });
    assert.equal(blk.objAttributes?.type, Ftype3.BLK);
    assert.deepEqual(blk.objAttributes?.rdev, { major: 7, minor: 200 });
    for (const type of [Ftype3.REG, Ftype3.DIR, Ftype3.LNK] as const) {
      expectStatus(await e.nfs.call(MKNOD, { where: { dir, name: name('bad') }, what: { type } }), NfsStat3.BADTYPE, Ftype3[type]);
    }
    expectStatus(await e.nfs.call(LOOKUP, { what: { dir, name: name('bad') } }), NfsStat3.NOENT);
    expectStatus(await e.nfs.call(MKNOD, { where: { dir, name: name('fifo') }, what: { type: Ftype3.FIFO, pipeAttributes: {} } }), NfsStat3.EXIST);
  });

  test('MKNOD of a device by an ordinary user -> PERM', async () => {
    const e = env();
    const dir = await e.fresh();
    const res = await e.nfs.call(
      MKNOD,
      { where: { dir, name: name('dev') }, what: { type: Ftype3.CHR, device: { devAttributes: {}, spec: { major: 1, minor: 3 } } } },
      as(USER),
    );
    expectStatus(res, NfsStat3.PERM);
  });
});
