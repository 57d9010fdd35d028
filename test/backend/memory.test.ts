/** The memory backend: the conformance suite, plus what only this backend promises. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBackend } from '../../src/backend/memory/index.js';
import { statusOf } from '../../src/backend/errors.js';
import { CreateMode, NfsStat3, StableHow, TimeHow } from '../../src/proto/nfs3/constants.js';
import { backendConformance, ctx, ROOT } from './conformance.js';

backendConformance('memory', async () => {
  const backend = new MemoryBackend();
  return { backend, cleanup: () => backend.close() };
});

const name = (s: string) => Buffer.from(s);

async function status(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return NfsStat3[statusOf(err)] ?? String(err);
  }
}

describe('memory backend', () => {
  it('caps file data at maxBytes with NOSPC, and frees space on remove and truncate', async () => {
    const b = new MemoryBackend({ maxBytes: 256 * 1024 });
    const root = await b.root(ROOT);
    const f = await b.create(root, name('f'), { mode: CreateMode.UNCHECKED, attrs: { mode: 0o644 } }, ROOT);
    await b.write(f.handle, 0n, Buffer.alloc(200 * 1024, 1), StableHow.FILE_SYNC, ROOT);
    assert.equal(await status(b.write(f.handle, 200n * 1024n, Buffer.alloc(100 * 1024, 2), StableHow.FILE_SYNC, ROOT)), 'NOSPC');
    assert.equal((await b.getattr(f.handle, ROOT)).size, 200n * 1024n, 'a refused write changes nothing');
    const stat = await b.fsstat(root, ROOT);
    assert.equal(stat.totalBytes, 256n * 1024n);
    assert.ok(stat.freeBytes < 64n * 1024n);
    await b.setattr(f.handle, { size: 0n }, undefined, ROOT);
    await b.write(f.handle, 0n, Buffer.alloc(200 * 1024, 3), StableHow.FILE_SYNC, ROOT);
    await b.remove(root, name('f'), ROOT);
    const g = await b.create(root, name('g'), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT);
    await b.write(g.handle, 0n, Buffer.alloc(250 * 1024, 4), StableHow.FILE_SYNC, ROOT);
  });

  it('does not allocate for holes', async () => {
    const b = new MemoryBackend({ maxBytes: 1024 * 1024 });
    const root = await b.root(ROOT);
    const f = await b.create(root, name('f'), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT);
    await b.write(f.handle, 1n << 40n, Buffer.from('far away'), StableHow.FILE_SYNC, ROOT);
    await b.setattr(f.handle, { size: 1n << 45n }, undefined, ROOT);
    const a = await b.getattr(f.handle, ROOT);
    assert.equal(a.size, 1n << 45n);
    assert.ok(a.used <= 64n * 1024n, `used ${a.used}`);
    assert.equal((await b.read(f.handle, 1n << 40n, 8, ROOT)).data.toString(), 'far away');
  });

  it('caps the number of objects at maxFiles with NOSPC', async () => {
    const b = new MemoryBackend({ maxFiles: 3 });
    const root = await b.root(ROOT);
    await b.mkdir(root, name('a'), {}, ROOT);
    await b.create(root, name('b'), { mode: CreateMode.GUARDED, attrs: {} }, ROOT);
    assert.equal(await status(b.create(root, name('c'), { mode: CreateMode.GUARDED, attrs: {} }, ROOT)), 'NOSPC');
    await b.remove(root, name('b'), ROOT);
    await b.create(root, name('c'), { mode: CreateMode.GUARDED, attrs: {} }, ROOT);
  });

  it('forgets an EXCLUSIVE verifier once attributes are set, as knfsd does', async () => {
    const b = new MemoryBackend();
    const root = await b.root(ROOT);
    const verifier = Buffer.from('ABCDEFGH');
    const c = await b.create(root, name('e'), { mode: CreateMode.EXCLUSIVE, verifier }, ROOT);
    await b.setattr(c.handle, { mode: 0o600 }, undefined, ROOT);
    assert.equal(await status(b.create(root, name('e'), { mode: CreateMode.EXCLUSIVE, verifier }, ROOT)), 'EXIST');
  });

  it('lets the owner read and write regardless of mode bits, as knfsd does for open files', async () => {
    const b = new MemoryBackend({ rootMode: 0o777 });
    const root = await b.root(ROOT);
    const alice = ctx(1000, 1000);
    const f = await b.create(root, name('ro'), { mode: CreateMode.UNCHECKED, attrs: { mode: 0o444 } }, alice);
    await b.write(f.handle, 0n, Buffer.from('still mine'), StableHow.UNSTABLE, alice);
    assert.equal((await b.read(f.handle, 0n, 100, alice)).data.toString(), 'still mine');
    await b.setattr(f.handle, { size: 5n }, undefined, alice);
    assert.equal((await b.access(f.handle, 0x04, alice)).granted, 0, 'ACCESS still reports the mode bits');
    assert.equal(await status(b.write(f.handle, 0n, Buffer.from('x'), StableHow.UNSTABLE, ctx(2000, 2000))), 'ACCES');
  });

  it('drops the uid and gid a non-root creator asks for, as knfsd does', async () => {
    const b = new MemoryBackend({ rootMode: 0o777 });
    const root = await b.root(ROOT);
    const c = await b.create(root, name('f'), { mode: CreateMode.UNCHECKED, attrs: { uid: 0, gid: 0 } }, ctx(1000, 1001));
    assert.deepEqual([c.attrs.uid, c.attrs.gid], [1000, 1001]);
  });

  it('clears set-id bits when a non-root caller writes, and on chown', async () => {
    const b = new MemoryBackend({ rootMode: 0o777 });
    const root = await b.root(ROOT);
    const alice = ctx(1000, 1000);
    const f = await b.create(root, name('prog'), { mode: CreateMode.UNCHECKED, attrs: { mode: 0o6777 } }, alice);
    assert.equal((await b.getattr(f.handle, ROOT)).mode, 0o6777);
    await b.write(f.handle, 0n, Buffer.from('x'), StableHow.UNSTABLE, ctx(2000, 2000));
    assert.equal((await b.getattr(f.handle, ROOT)).mode, 0o0777);
    await b.setattr(f.handle, { mode: 0o6755 }, undefined, ROOT);
    await b.setattr(f.handle, { uid: 3000 }, undefined, ROOT);
    assert.equal((await b.getattr(f.handle, ROOT)).mode, 0o0755);
  });

  it('refuses client times with nseconds out of range', async () => {
    const b = new MemoryBackend();
    const root = await b.root(ROOT);
    const time = { seconds: 1, nseconds: 1_000_000_000 };
    const attrs = { mtime: { how: TimeHow.SET_TO_CLIENT_TIME, time } } as const;
    assert.equal(await status(b.setattr(root, attrs, undefined, ROOT)), 'INVAL');
    assert.equal(await status(b.create(root, name('f'), { mode: CreateMode.UNCHECKED, attrs }, ROOT)), 'INVAL');
    assert.equal(await status(b.lookup(root, name('f'), ROOT)), 'NOENT', 'a refused create leaves nothing behind');
  });

  it('refuses readdir cookies it never issued with BAD_COOKIE, and ignores the verifier', async () => {
    const b = new MemoryBackend();
    const root = await b.root(ROOT);
    await b.create(root, name('a'), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT);
    const page = await b.readdir(root, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 10, withAttrs: false }, ROOT);
    const last = page.entries[page.entries.length - 1]!.cookie;
    const again = await b.readdir(root, { cookie: 2n, verifier: Buffer.from('whatever'), maxEntries: 10, withAttrs: false }, ROOT);
    assert.deepEqual(again.entries.map((e) => e.name.toString()), ['a']);
    const req = { cookie: last + 100n, verifier: page.verifier, maxEntries: 10, withAttrs: false };
    assert.equal(await status(b.readdir(root, req, ROOT)), 'BAD_COOKIE');
  });

  it('reports eof on the page with the last live entry, even when removed entries follow it', async () => {
    const b = new MemoryBackend();
    const root = await b.root(ROOT);
    for (const n of ['a', 'b', 'c']) await b.create(root, name(n), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT);
    await b.remove(root, name('c'), ROOT);
    const page = await b.readdir(root, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 4, withAttrs: false }, ROOT);
    assert.deepEqual(page.entries.map((e) => e.name.toString()), ['.', '..', 'a', 'b']);
    assert.equal(page.eof, true);
  });

  it('handles of another instance are STALE, and handles of the wrong length BADHANDLE', async () => {
    const one = new MemoryBackend();
    const two = new MemoryBackend();
    const oneRoot = await one.root(ROOT);
    const f = await one.create(oneRoot, name('f'), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT);
    await two.create(await two.root(ROOT), name('f'), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT);
    assert.equal(await status(two.getattr(f.handle, ROOT)), 'STALE');
    assert.equal(await status(two.getattr(Buffer.alloc(8), ROOT)), 'BADHANDLE');
  });

  it('timestamps have sub-millisecond resolution', async () => {
    const b = new MemoryBackend();
    const root = await b.root(ROOT);
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const c = await b.create(root, name(`f${i}`), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT);
      seen.add(c.attrs.mtime.nseconds % 1_000_000);
    }
    assert.ok(seen.size > 1, 'nanoseconds are not all whole milliseconds');
  });

  it('refuses "." and ".." as new names even without the NFS layer in front', async () => {
    const b = new MemoryBackend();
    const root = await b.root(ROOT);
    for (const n of ['.', '..']) {
      assert.equal(await status(b.create(root, name(n), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT)), 'EXIST');
      assert.equal(await status(b.mkdir(root, name(n), {}, ROOT)), 'EXIST');
      assert.equal(await status(b.rename(root, name(n), root, name('x'), ROOT)), 'INVAL');
    }
    assert.equal(await status(b.lookup(root, Buffer.alloc(256, 0x61), ROOT)), 'NAMETOOLONG');
  });

  it('after close() every handle is STALE', async () => {
    const b = new MemoryBackend();
    const root = await b.root(ROOT);
    await b.close();
    assert.equal(await status(b.getattr(root, ROOT)), 'STALE');
    assert.equal(await status(b.root(ROOT)), 'STALE');
  });
});
