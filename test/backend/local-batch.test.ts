/**
 * The local backend's batched paths give exactly what the one-at-a-time
 * paths give: READDIRPLUS entries (handles and attributes read by name, or
 * by opening the name where the handle layout is not known) match LOOKUP of
 * the same names, and calls issued together (run as one threadpool job per
 * object) each settle with their own result or error, on ext4 (whose handles
 * carry the inode number) and on tmpfs (whose handles do not).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { DirEntry, OpContext } from '../../src/backend/backend.js';
import { statusOf } from '../../src/backend/errors.js';
import { createLocalBackend } from '../../src/backend/local/index.js';
import * as native from '../../src/backend/local/native.js';
import { NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { assertNothingHeld } from '../helpers/fd-tracker.js';
import { isRoot, Scratch } from '../helpers/mounts.js';

const ROOT: OpContext = { cred: { uid: 0, gid: 0, gids: [] } };
const n = (s: string): Buffer => Buffer.from(s);

/** A descriptor of `dir` for the addon's calls, closed afterwards. */
async function withMountFd<T>(dir: string, fn: (fd: number) => Promise<T>): Promise<T> {
  const info = await native.openRoot(dir);
  try {
    return await fn(info.fd);
  } finally {
    await native.close(info.fd);
  }
}

describe('local backend: batched paths', { skip: isRoot() ? false : 'needs root (mount, CAP_DAC_READ_SEARCH)' }, () => {
  const s = new Scratch();
  const filesystems: Record<string, string> = {};
  before(() => {
    filesystems['tmpfs'] = s.tmpfs('tmpfs');
    const at = s.mkdir('ext4');
    s.mountImage(s.ext4Image('ext4'), at);
    filesystems['ext4'] = at;
  });
  after(() => s.cleanup());

  for (const kind of ['ext4', 'tmpfs']) {
    it(`${kind}: READDIRPLUS gives each name the handle and attributes LOOKUP gives it`, async (t) => {
      const dir = `${filesystems[kind]}/plus`;
      mkdirSync(`${dir}/sub`, { recursive: true });
      for (let i = 0; i < 300; i++) writeFileSync(`${dir}/f${i}`, 'x'.repeat(i));
      symlinkSync('f1', `${dir}/link`);
      symlinkSync('/nowhere', `${dir}/dangling`);
      execFileSync('mkfifo', [`${dir}/fifo`]);
      const b = await createLocalBackend({ path: dir });
      t.after(() => b.close());
      const root = await b.root(ROOT);
      const page = await b.readdir(root, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 1000, withAttrs: true }, ROOT);
      assert.equal(page.entries.length, 2 + 300 + 4);
      for (const e of page.entries) {
        const name = e.name.toString();
        if (name === '.' || name === '..') continue;
        const l = await b.lookup(root, e.name, ROOT);
        assert.ok(e.handle?.equals(l.handle), `${name}: same handle`);
        assert.deepEqual(e.attrs, l.attrs, `${name}: same attributes`);
        assert.equal(e.fileid, l.attrs.fileid, `${name}: fileid`);
      }
      await b.close();
      assertNothingHeld(filesystems[kind]!);
    });
  }

  it('calls issued together settle each with its own result, across objects and exports', async (t) => {
    const dirs = ['ext4', 'tmpfs'].map((k) => {
      const d = `${filesystems[k]}/together`;
      mkdirSync(d, { recursive: true });
      for (let i = 0; i < 20; i++) writeFileSync(`${d}/f${i}`, 'y'.repeat(i));
      return d;
    });
    const backends = await Promise.all(dirs.map((path) => createLocalBackend({ path })));
    t.after(() => Promise.all(backends.map((b) => b.close())));
    const roots = await Promise.all(backends.map((b) => b.root(ROOT)));
    const files = await Promise.all(
      backends.flatMap((b, k) => Array.from({ length: 20 }, (_, i) => b.lookup(roots[k]!, n(`f${i}`), ROOT).then((r) => ({ b, k, i, fh: r.handle })))),
    );
    // A removed file's handle is stale; its calls sit in the same batches as live ones.
    const gone = files.filter((f) => f.i % 5 === 0);
    for (const f of gone) await f.b.remove(roots[f.k]!, n(`f${f.i}`), ROOT);

    const results = await Promise.allSettled(
      files.flatMap((f) => [
        f.b.getattr(f.fh, ROOT),
        f.b.access(f.fh, 0x3f, ROOT),
        f.b.lookup(roots[f.k]!, n(`f${f.i}`), ROOT),
        f.b.read(f.fh, 0n, 4096, ROOT),
      ]),
    );
    files.forEach((f, j) => {
      const [getattr, access, lookup, read] = results.slice(4 * j, 4 * j + 4);
      if (f.i % 5 === 0) {
        for (const r of [getattr, access, read]) {
          assert.equal(r!.status, 'rejected', `f${f.i} on export ${f.k}: removed`);
          assert.equal(statusOf((r as PromiseRejectedResult).reason), NfsStat3.STALE);
        }
        assert.equal(lookup!.status, 'rejected');
        assert.equal(statusOf((lookup as PromiseRejectedResult).reason), NfsStat3.NOENT);
        return;
      }
      assert.equal(getattr!.status, 'fulfilled');
      assert.equal((getattr as PromiseFulfilledResult<Awaited<ReturnType<typeof f.b.getattr>>>).value.size, BigInt(f.i));
      assert.equal(access!.status, 'fulfilled');
      assert.equal(lookup!.status, 'fulfilled');
      assert.ok((lookup as PromiseFulfilledResult<Awaited<ReturnType<typeof f.b.lookup>>>).value.handle.equals(f.fh));
      assert.equal(read!.status, 'fulfilled');
      const data = (read as PromiseFulfilledResult<Awaited<ReturnType<typeof f.b.read>>>).value;
      assert.equal(data.data.toString(), 'y'.repeat(f.i));
    });
    // The files' descriptors were opened in batches and are closed in batches, one per export.
    for (const b of backends) assert.equal(b.holds().openDescriptors, 17, 'the export root and the 16 live files');
    await Promise.all(backends.map((b) => b.release()));
    for (const d of dirs) assertNothingHeld(d);
  });

  for (const kind of ['ext4', 'tmpfs']) {
    it(`${kind}: listing again reuses each name's handle and reads its attributes afresh`, async (t) => {
      const dir = `${filesystems[kind]}/again`;
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 200; i++) writeFileSync(`${dir}/f${i}`, '');
      const b = await createLocalBackend({ path: dir });
      t.after(() => b.close());
      const root = await b.root(ROOT);
      const list = async (): Promise<Map<string, DirEntry>> => {
        const page = await b.readdir(root, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 1000, withAttrs: true }, ROOT);
        return new Map(page.entries.map((e) => [e.name.toString(), e]));
      };
      const first = await list();
      // Behind the backend's back, without touching the directory: contents and modes change, nothing else.
      for (let i = 0; i < 200; i += 10) {
        writeFileSync(`${dir}/f${i}`, 'z'.repeat(i + 1));
        chmodSync(`${dir}/f${i}`, 0o600);
      }
      const second = await list();
      for (let i = 0; i < 200; i++) {
        const a = first.get(`f${i}`)!;
        const e = second.get(`f${i}`)!;
        assert.ok(e.handle?.equals(a.handle!), `f${i}: same handle`);
        assert.deepEqual(e.attrs, (await b.lookup(root, n(`f${i}`), ROOT)).attrs, `f${i}: current attributes`);
        if (i % 10 === 0) {
          assert.equal(e.attrs?.size, BigInt(i + 1));
          assert.equal(e.attrs?.mode, 0o600);
        }
      }
    });
  }

  it('a page ends before the first entry the admit hint refuses, never before its first entry', async (t) => {
    const dir = `${filesystems['ext4']}/admit`;
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(`${dir}/f${i}`, '');
    const b = await createLocalBackend({ path: dir });
    t.after(() => b.close());
    const root = await b.root(ROOT);
    const seen: string[] = [];
    let cookie = 0n;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 20, 'pages make progress');
      let asked = 0;
      const admit = (): boolean => ++asked <= 6;
      const page = await b.readdir(root, { cookie, verifier: Buffer.alloc(8), maxEntries: 1000, withAttrs: true, admit }, ROOT);
      assert.equal(page.entries.length, page.eof ? page.entries.length : 6, 'the six admitted');
      for (const e of page.entries) assert.ok(e.attrs && e.handle, `${e.name}: looked up`);
      seen.push(...page.entries.map((e) => e.name.toString()));
      if (page.eof) break;
      cookie = page.entries[page.entries.length - 1]!.cookie;
    }
    assert.deepEqual(seen.sort(), ['.', '..', ...Array.from({ length: 30 }, (_, i) => `f${i}`)].sort());
    const never = await b.readdir(root, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 1000, withAttrs: true, admit: () => false }, ROOT);
    assert.equal(never.entries.length, 1, 'a hint refusing everything still gets one entry');
  });

  it('a held handle is reused only for the inode incarnation it was made for', async (t) => {
    const dir = `${filesystems['ext4']}/held`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/f`, 'x');
    const b = await createLocalBackend({ path: dir });
    t.after(() => b.close());
    const root = await b.root(ROOT);
    const fsid = { hi: 0, lo: 7 };
    const { ino } = statSync(`${dir}/f`, { bigint: true });
    await withMountFd(dir, async (m) => {
      const [fresh] = await native.lookupMany(ROOT.cred, m, fsid, root, [{ name: n('f'), ino }]);
      assert.ok(typeof fresh === 'object' && fresh.handle && fresh.keep, 'a first lookup gives a handle to keep');
      const held = fresh.keep;
      const [again] = await native.lookupMany(ROOT.cred, m, fsid, root, [{ name: n('f'), ino, held }]);
      assert.ok(typeof again === 'object' && again.handle === undefined, 'the held handle stands');
      assert.deepEqual(again.attrs, fresh.attrs);
      for (const other of [
        { ...held, birthNsec: (held.birthNsec + 1) % 1e9 },
        { ...held, birthSec: held.birthSec - 1 },
      ]) {
        const [r] = await native.lookupMany(ROOT.cred, m, fsid, root, [{ name: n('f'), ino, held: other }]);
        assert.ok(typeof r === 'object' && r.handle?.equals(held.handle), 'another birth time: the handle is made again');
      }
      const [wrongIno] = await native.lookupMany(ROOT.cred, m, fsid, root, [{ name: n('f'), ino: ino + 1n, held }]);
      assert.ok(typeof wrongIno === 'object' && wrongIno.handle && !wrongIno.keep, 'another inode number: made again, not to be kept');
      assert.equal(wrongIno.inoDiffers, true);
      assert.equal(wrongIno.attrs.fileid, ino);
      assert.equal(wrongIno.attrs.fsid, 7n);
    });
  });

  it('attributes read in a batch are current: GETATTR right after a change sees it', async (t) => {
    const dir = `${filesystems['ext4']}/current`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/f`, '');
    const b = await createLocalBackend({ path: dir });
    t.after(() => b.close());
    const root = await b.root(ROOT);
    const fh = (await b.lookup(root, n('f'), ROOT)).handle;
    for (let size = 1; size <= 5; size++) {
      await b.setattr(fh, { size: BigInt(size) }, undefined, ROOT);
      const [a, c] = await Promise.all([b.getattr(fh, ROOT), b.access(fh, 0x3f, ROOT)]);
      assert.equal(a.size, BigInt(size));
      assert.equal(c.attrs?.size, BigInt(size));
    }
  });
});
