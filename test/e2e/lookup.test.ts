/** LOOKUP, ACCESS and READLINK end to end. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
  Ftype3,
  NfsStat3,
} from '../../src/proto/nfs3/constants.js';
import { ACCESS } from '../../src/proto/nfs3/access.js';
import { LOOKUP } from '../../src/proto/nfs3/lookup.js';
import { READLINK } from '../../src/proto/nfs3/readlink.js';
import { as, expectStatus, forEachBackend, name, USER } from './harness.js';

const ALL = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE | ACCESS3_EXECUTE;

forEachBackend('LOOKUP/ACCESS/READLINK', (env) => {
  test('LOOKUP finds the object with its attributes and the directory attributes', async () => {
    const e = env();
    const dir = await e.fresh();
    const fh = await e.file(dir, 'f', 'abc');
    const res = await e.nfs.lookup({ what: { dir, name: name('f') } });
    assert.deepEqual(Buffer.from(res.object), fh);
    assert.equal(res.objAttributes?.size, 3n);
    assert.equal(res.dirAttributes?.fileid, (await e.getattr(dir)).fileid);
  });

  test('LOOKUP of a missing name -> NOENT with the directory attributes', async () => {
    const e = env();
    const dir = await e.fresh();
    const res = expectStatus(await e.nfs.call(LOOKUP, { what: { dir, name: name('nope') } }), NfsStat3.NOENT);
    assert.equal(res.dirAttributes?.type, Ftype3.DIR);
  });

  test('LOOKUP in a regular file -> NOTDIR; a name over 255 bytes -> NAMETOOLONG; 255 bytes is fine', async () => {
    const e = env();
    const dir = await e.fresh();
    const f = await e.file(dir, 'f');
    expectStatus(await e.nfs.call(LOOKUP, { what: { dir: f, name: name('x') } }), NfsStat3.NOTDIR);
    expectStatus(await e.nfs.call(LOOKUP, { what: { dir, name: Buffer.alloc(256, 0x61) } }), NfsStat3.NAMETOOLONG);
    await e.file(dir, 'b'.repeat(255));
    await e.lookup(dir, 'b'.repeat(255));
  });

  test("'.' is the directory itself, '..' its parent; '..' of the export root stays at the root", async () => {
    const e = env();
    const rootId = (await e.getattr(e.root)).fileid;
    const up = await e.nfs.lookup({ what: { dir: e.root, name: name('..') } });
    assert.equal(up.objAttributes?.fileid, rootId);
    assert.equal((await e.getattr(Buffer.from(up.object))).fileid, rootId);
    const upup = await e.nfs.lookup({ what: { dir: Buffer.from(up.object), name: name('..') } });
    assert.equal(upup.objAttributes?.fileid, rootId);
    const dir = await e.fresh();
    const dirId = (await e.getattr(dir)).fileid;
    assert.equal((await e.nfs.lookup({ what: { dir, name: name('.') } })).objAttributes?.fileid, dirId);
    assert.equal((await e.nfs.lookup({ what: { dir, name: name('..') } })).objAttributes?.fileid, rootId);
  });

  test('LOOKUP through a 0700 directory as another user -> ACCES', async () => {
    const e = env();
    const dir = await e.fresh();
    const priv = Buffer.from((await e.nfs.mkdir({ where: { dir, name: name('priv') }, attributes: { mode: 0o700 } })).obj!);
    await e.file(priv, 'secret');
    expectStatus(await e.nfs.call(LOOKUP, { what: { dir: priv, name: name('secret') } }, as(USER)), NfsStat3.ACCES);
    await e.lookup(priv, 'secret');
  });

  test('ACCESS: root gets everything it asked on its directory; another user only what the mode allows', async () => {
    const e = env();
    const dir = await e.fresh();
    const res = await e.nfs.access({ object: dir, access: ALL });
    assert.equal(res.access & ~ALL, 0, 'never more than asked');
    assert.equal(res.access & (ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE), ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE);
    assert.equal(res.objAttributes?.type, Ftype3.DIR);
    const f = await e.file(dir, 'f', 'x', { mode: 0o644 });
    const user = await e.nfs.access({ object: f, access: ALL }, as(USER));
    assert.equal(user.access & (ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_EXECUTE), ACCESS3_READ);
    const priv = Buffer.from((await e.nfs.mkdir({ where: { dir, name: name('p') }, attributes: { mode: 0o700 } })).obj!);
    const none = await e.nfs.access({ object: priv, access: ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY }, as(USER));
    assert.equal(none.access, 0);
    const sub = await e.nfs.access({ object: f, access: ACCESS3_READ }, as(USER));
    assert.equal(sub.access, ACCESS3_READ, 'only the bits asked for');
  });

  test('READLINK returns the target bytes exactly; of a regular file -> INVAL', async () => {
    const e = env();
    const dir = await e.fresh();
    const target = Buffer.from([0x2e, 0x2e, 0x2f, 0xff, 0x61]); // "../\xffa": not UTF-8, and leaves the dir
    const made = await e.nfs.symlink({ where: { dir, name: name('l') }, symlink: { symlinkAttributes: {}, symlinkData: target } });
    const res = await e.nfs.readlink({ symlink: Buffer.from(made.obj!) });
    assert.deepEqual(Buffer.from(res.data), target);
    assert.equal(res.symlinkAttributes?.type, Ftype3.LNK);
    assert.equal(res.symlinkAttributes?.size, BigInt(target.length));
    const f = await e.file(dir, 'f');
    expectStatus(await e.nfs.call(READLINK, { symlink: f }), NfsStat3.INVAL, 'READLINK of a file');
    expectStatus(await e.nfs.call(READLINK, { symlink: dir }), NfsStat3.INVAL, 'READLINK of a directory');
    // LOOKUP does not follow a symlink: it names the link itself.
    assert.equal((await e.nfs.lookup({ what: { dir, name: name('l') } })).objAttributes?.type, Ftype3.LNK);
    expectStatus(await e.nfs.call(ACCESS, { object: Buffer.from(made.obj!), access: ACCESS3_READ }), NfsStat3.OK);
  });
});
