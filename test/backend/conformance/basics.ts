/** The root, lookups of the special names, filesystem-wide queries and lifecycle calls. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateMode,
  FSF3_CANSETTIME,
  FSF3_HOMOGENEOUS,
  FSF3_LINK,
  FSF3_SYMLINK,
  Ftype3,
  NfsStat3,
  StableHow,
} from '../../../src/proto/nfs3/constants.js';
import { createFile, getattr, lookup, mkdir, name, rejectsWith, ROOT, withBackend, type MakeBackend } from './fixture.js';

export function basics(make: MakeBackend): void {
  describe('root and lookup', () => {
    it('root() is a directory with a stable handle and getattr works on it', withBackend(make, [], async (f) => {
      const again = await f.b.root(ROOT);
      const a = await getattr(f, f.root);
      const b = await getattr(f, again);
      assert.equal(a.type, Ftype3.DIR);
      assert.equal(a.fileid, b.fileid);
      assert.ok(a.nlink >= 2, 'a directory has at least "." and its entry in the parent');
      assert.equal(a.mode & ~0o7777, 0, 'mode carries permission bits only');
    }));

    it('lookup finds a created file and returns its attributes and the directory attributes', withBackend(make, [], async (f) => {
      const made = await createFile(f, f.root, 'a');
      const found = await f.b.lookup(f.root, name('a'), ROOT);
      assert.equal(found.attrs.fileid, made.attrs.fileid);
      assert.equal(found.attrs.type, Ftype3.REG);
      assert.equal((await getattr(f, found.handle)).fileid, made.attrs.fileid);
      if (found.dirAttrs) assert.equal(found.dirAttrs.fileid, (await getattr(f, f.root)).fileid);
    }));

    it('names are bytes: non-UTF-8 names round-trip exactly', withBackend(make, [], async (f) => {
      const raw = Buffer.from([0x66, 0xff, 0xfe, 0x80, 0x41]);
      const made = await f.b.create(f.root, raw, { mode: CreateMode.UNCHECKED, attrs: { mode: 0o644 } }, ROOT);
      assert.equal((await f.b.lookup(f.root, raw, ROOT)).attrs.fileid, made.attrs.fileid);
      await rejectsWith(f.b.lookup(f.root, Buffer.from([0x66, 0xff, 0xfe, 0x80, 0x42]), ROOT), NfsStat3.NOENT);
    }));

    it('lookup of a missing name is NOENT; lookup inside a file is NOTDIR', withBackend(make, [], async (f) => {
      await rejectsWith(f.b.lookup(f.root, name('missing'), ROOT), NfsStat3.NOENT);
      const file = await createFile(f, f.root, 'file');
      await rejectsWith(f.b.lookup(file.handle, name('x'), ROOT), NfsStat3.NOTDIR);
    }));

    it('"." is the directory itself and ".." its parent', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      const sub = await mkdir(f, d.handle, 'sub');
      assert.equal((await f.b.lookup(sub.handle, name('.'), ROOT)).attrs.fileid, sub.attrs.fileid);
      assert.equal((await f.b.lookup(sub.handle, name('..'), ROOT)).attrs.fileid, d.attrs.fileid);
      assert.equal((await f.b.lookup(d.handle, name('..'), ROOT)).attrs.fileid, (await getattr(f, f.root)).fileid);
    }));

    it('".." of the root stays on the root', withBackend(make, [], async (f) => {
      const rootId = (await getattr(f, f.root)).fileid;
      const up = await f.b.lookup(f.root, name('..'), ROOT);
      assert.equal(up.attrs.fileid, rootId);
      const upUp = await f.b.lookup(up.handle, name('..'), ROOT);
      assert.equal(upUp.attrs.fileid, rootId);
      assert.equal((await getattr(f, upUp.handle)).fileid, rootId);
    }));

    it('a handle from lookup("..") is usable for further operations', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      const up = await lookup(f, d.handle, '..');
      await createFile(f, up, 'via-dotdot');
      assert.equal((await f.b.lookup(f.root, name('via-dotdot'), ROOT)).attrs.type, Ftype3.REG);
    }));
  });

  describe('filesystem queries', () => {
    it('fsstat gives consistent totals', withBackend(make, [], async (f) => {
      const s = await f.b.fsstat(f.root, ROOT);
      assert.ok(s.totalBytes > 0n);
      assert.ok(s.freeBytes <= s.totalBytes && s.freeBytes >= 0n);
      assert.ok(s.availBytes <= s.freeBytes && s.availBytes >= 0n);
      assert.ok(s.totalFiles > 0n);
      assert.ok(s.freeFiles <= s.totalFiles && s.freeFiles >= 0n);
      assert.ok(s.availFiles <= s.freeFiles && s.availFiles >= 0n);
      assert.ok(Number.isInteger(s.invarsec) && s.invarsec >= 0);
    }));

    it('fsinfo gives a usable maximum file size, a sane time delta and known property bits', withBackend(make, [], async (f) => {
      const i = await f.b.fsinfo(f.root, ROOT);
      assert.ok(i.maxFileSize >= 1n << 31n, 'files of 2 GiB must be possible');
      assert.ok(i.timeDelta.nseconds < 1_000_000_000);
      assert.ok(i.timeDelta.seconds <= 1, 'time delta is at most a second');
      assert.ok(i.timeDelta.seconds > 0 || i.timeDelta.nseconds > 0, 'time delta is nonzero');
      const known = FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME;
      assert.equal(i.properties & ~known, 0, 'only FSF3_* bits are set');
      assert.ok(i.properties & FSF3_CANSETTIME, 'every backend can set times through setattr');
    }));

    it('pathconf gives sane limits', withBackend(make, [], async (f) => {
      const p = await f.b.pathconf(f.root, ROOT);
      assert.ok(p.nameMax >= 255, 'NAME_MAX is at least 255');
      assert.ok(p.linkMax >= 1);
      for (const flag of [p.noTrunc, p.chownRestricted, p.caseInsensitive, p.casePreserving]) assert.equal(typeof flag, 'boolean');
    }));

    it('fsstat, fsinfo and pathconf also work on a file handle', withBackend(make, [], async (f) => {
      const file = await createFile(f, f.root, 'f');
      await f.b.fsstat(file.handle, ROOT);
      await f.b.fsinfo(file.handle, ROOT);
      await f.b.pathconf(file.handle, ROOT);
    }));
  });

  describe('lifecycle', () => {
    it('flush, release and holds are callable at any time and holds reports nonnegative numbers', withBackend(make, [], async (f) => {
      const file = await createFile(f, f.root, 'f');
      await f.b.write(file.handle, 0n, Buffer.from('data'), StableHow.UNSTABLE, ROOT);
      const h = f.b.holds();
      assert.ok(Number.isInteger(h.openDescriptors) && h.openDescriptors >= 0);
      assert.ok(Number.isInteger(h.uncommittedBytes) && h.uncommittedBytes >= 0);
      assert.ok(Array.isArray(h.holders));
      await f.b.flush();
      await f.b.release();
      const after = f.b.holds();
      assert.equal(after.openDescriptors, 0, 'release() closes every descriptor');
      assert.equal(after.uncommittedBytes, 0, 'flush() leaves nothing uncommitted');
      // Everything still works after a release: the next call reacquires what it needs.
      assert.equal((await f.b.read(file.handle, 0n, 10, ROOT)).data.toString(), 'data');
      await f.b.close();
    }));
  });
}
