/** Handle stability across renames, and STALE once the object is gone. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BACKEND_HANDLE } from '../../../src/backend/backend.js';
import { Ftype3, NfsStat3, StableHow } from '../../../src/proto/nfs3/constants.js';
import {
  createFile,
  getattr,
  lookup,
  mkdir,
  name,
  readAll,
  rejectsWith,
  ROOT,
  withBackend,
  writeAt,
  type MakeBackend,
} from './fixture.js';

export function handles(make: MakeBackend): void {
  describe('handles', () => {
    it('fit in MAX_BACKEND_HANDLE bytes', withBackend(make, [], async (f) => {
      const file = await createFile(f, f.root, 'f');
      const dir = await mkdir(f, f.root, 'd');
      for (const h of [f.root, file.handle, dir.handle]) {
        assert.ok(h.length > 0 && h.length <= MAX_BACKEND_HANDLE, `handle of ${h.length} bytes`);
      }
    }));

    it('stay valid across a rename of the object', withBackend(make, [], async (f) => {
      const a = await createFile(f, f.root, 'a');
      const d = await mkdir(f, f.root, 'd');
      await f.b.rename(f.root, name('a'), d.handle, name('b'), ROOT);
      await writeAt(f, a.handle, 0, Buffer.from('through the old handle'));
      const b = await lookup(f, d.handle, 'b');
      assert.equal((await readAll(f, b, 0, 100)).toString(), 'through the old handle');
      assert.equal((await getattr(f, a.handle)).fileid, a.attrs.fileid);
    }));

    it('stay valid across renames of every parent directory', withBackend(make, [], async (f) => {
      const a = await mkdir(f, f.root, 'a');
      const b = await mkdir(f, a.handle, 'b');
      const c = await mkdir(f, b.handle, 'c');
      const file = await createFile(f, c.handle, 'file');
      const other = await mkdir(f, f.root, 'other');
      await f.b.rename(f.root, name('a'), f.root, name('x'), ROOT);
      await f.b.rename(a.handle, name('b'), other.handle, name('y'), ROOT);
      await f.b.rename(b.handle, name('c'), b.handle, name('z'), ROOT);
      assert.equal((await getattr(f, file.handle)).fileid, file.attrs.fileid);
      assert.equal((await getattr(f, c.handle)).fileid, c.attrs.fileid);
      assert.equal((await f.b.lookup(c.handle, name('file'), ROOT)).attrs.fileid, file.attrs.fileid);
      await createFile(f, c.handle, 'new-in-moved-dir');
      const viaPath = await lookup(f, await lookup(f, await lookup(f, f.root, 'other'), 'y'), 'z');
      assert.equal((await f.b.lookup(viaPath, name('new-in-moved-dir'), ROOT)).attrs.type, Ftype3.REG);
      assert.equal((await f.b.lookup(c.handle, name('..'), ROOT)).attrs.fileid, b.attrs.fileid);
    }));

    it('of a removed file is STALE for every operation', withBackend(make, [], async (f) => {
      const a = await createFile(f, f.root, 'a');
      await f.b.remove(f.root, name('a'), ROOT);
      await rejectsWith(f.b.getattr(a.handle, ROOT), NfsStat3.STALE);
      await rejectsWith(f.b.read(a.handle, 0n, 1, ROOT), NfsStat3.STALE);
      await rejectsWith(f.b.write(a.handle, 0n, Buffer.from('x'), StableHow.FILE_SYNC, ROOT), NfsStat3.STALE);
      await rejectsWith(f.b.setattr(a.handle, { mode: 0o600 }, undefined, ROOT), NfsStat3.STALE);
      await rejectsWith(f.b.access(a.handle, 1, ROOT), NfsStat3.STALE);
      await rejectsWith(f.b.commit(a.handle, 0n, 0, ROOT), NfsStat3.STALE);
    }));

    it('of a removed directory is STALE, also as the directory of an operation', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      await f.b.rmdir(f.root, name('d'), ROOT);
      await rejectsWith(f.b.getattr(d.handle, ROOT), NfsStat3.STALE);
      await rejectsWith(f.b.lookup(d.handle, name('x'), ROOT), NfsStat3.STALE);
      await rejectsWith(createFile(f, d.handle, 'x'), NfsStat3.STALE);
      await rejectsWith(
        f.b.readdir(d.handle, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 10, withAttrs: false }, ROOT),
        NfsStat3.STALE,
      );
    }));

    it('of a file replaced by a rename is STALE', withBackend(make, [], async (f) => {
      await createFile(f, f.root, 'a');
      const b = await createFile(f, f.root, 'b');
      await f.b.rename(f.root, name('a'), f.root, name('b'), ROOT);
      await rejectsWith(f.b.getattr(b.handle, ROOT), NfsStat3.STALE);
    }));

    it('of removed objects never reach objects created afterwards, however many', withBackend(make, [], async (f) => {
      const gone: Buffer[] = [];
      for (let i = 0; i < 64; i++) {
        const n = i % 2 === 0 ? 'same-name' : `name-${i}`;
        const made = i % 3 === 0 ? await mkdir(f, f.root, n) : await createFile(f, f.root, n);
        if (gone.length > 0) await rejectsWith(f.b.getattr(gone[gone.length - 1]!, ROOT), NfsStat3.STALE);
        if (i % 3 === 0) await f.b.rmdir(f.root, name(n), ROOT);
        else await f.b.remove(f.root, name(n), ROOT);
        gone.push(made.handle);
      }
      const live = await createFile(f, f.root, 'same-name');
      for (const h of gone) {
        await rejectsWith(f.b.getattr(h, ROOT), NfsStat3.STALE);
        await rejectsWith(f.b.write(h, 0n, Buffer.from('x'), StableHow.FILE_SYNC, ROOT), NfsStat3.STALE, NfsStat3.ISDIR);
      }
      assert.equal((await getattr(f, live.handle)).size, 0n, 'no write through a stale handle reached the live file');
    }));

    it('that are garbage fail BADHANDLE or STALE, never reach an object', withBackend(make, [], async (f) => {
      await createFile(f, f.root, 'a');
      const garbage = [Buffer.alloc(0), Buffer.from([1]), Buffer.alloc(12, 0xff), Buffer.alloc(MAX_BACKEND_HANDLE, 0x5a)];
      for (const h of garbage) {
        await rejectsWith(f.b.getattr(h, ROOT), NfsStat3.BADHANDLE, NfsStat3.STALE);
      }
    }));
  });
}
