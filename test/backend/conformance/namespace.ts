/** MKDIR, SYMLINK/READLINK, MKNOD, LINK, REMOVE, RMDIR and RENAME, with their error statuses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ftype3, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
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
  type Fixture,
  type MakeBackend,
} from './fixture.js';

function rename(f: Fixture, fromDir: Buffer, from: string, toDir: Buffer, to: string) {
  return f.b.rename(fromDir, name(from), toDir, name(to), ROOT);
}

async function fileidOf(f: Fixture, dir: Buffer, n: string): Promise<bigint> {
  return (await f.b.lookup(dir, name(n), ROOT)).attrs.fileid;
}

export function namespace(make: MakeBackend): void {
  describe('mkdir', () => {
    it('makes a directory with the mode asked and counts it in the parent nlink', withBackend(make, [], async (f) => {
      const before = (await getattr(f, f.root)).nlink;
      const d = await mkdir(f, f.root, 'd', 0o750);
      assert.equal(d.attrs.type, Ftype3.DIR);
      assert.equal(d.attrs.mode, 0o750);
      assert.equal(d.attrs.nlink, 2);
      assert.equal((await getattr(f, f.root)).nlink, before + 1);
      if (d.dirWcc.after) assert.equal(d.dirWcc.after.nlink, before + 1);
    }));

    it('fails EXIST on any existing name and NOTDIR inside a file', withBackend(make, [], async (f) => {
      await mkdir(f, f.root, 'd');
      await createFile(f, f.root, 'f');
      await rejectsWith(mkdir(f, f.root, 'd'), NfsStat3.EXIST);
      await rejectsWith(mkdir(f, f.root, 'f'), NfsStat3.EXIST);
      await rejectsWith(mkdir(f, (await lookup(f, f.root, 'f')), 'x'), NfsStat3.NOTDIR);
    }));
  });

  describe('symlink', () => {
    it('stores the target bytes exactly and readlink returns them', withBackend(make, ['symlinks'], async (f) => {
      const target = Buffer.concat([Buffer.from('../some/where/'), Buffer.from([0xff, 0x01])]);
      const s = await f.b.symlink(f.root, name('ln'), target, {}, ROOT);
      assert.equal(s.attrs.type, Ftype3.LNK);
      assert.equal(s.attrs.size, BigInt(target.length));
      assert.deepEqual((await f.b.readlink(s.handle, ROOT)).target, target);
      const found = await f.b.lookup(f.root, name('ln'), ROOT);
      assert.equal(found.attrs.type, Ftype3.LNK, 'lookup does not follow symlinks');
      assert.deepEqual((await f.b.readlink(found.handle, ROOT)).target, target);
    }));

    it('a dangling target is fine; an existing name is EXIST; readlink of a non-link is INVAL', withBackend(make, ['symlinks'], async (f) => {
      await f.b.symlink(f.root, name('dangling'), Buffer.from('/nowhere/at/all'), {}, ROOT);
      await rejectsWith(f.b.symlink(f.root, name('dangling'), Buffer.from('x'), {}, ROOT), NfsStat3.EXIST);
      const file = await createFile(f, f.root, 'f');
      await rejectsWith(f.b.readlink(file.handle, ROOT), NfsStat3.INVAL);
      await rejectsWith(f.b.readlink(f.root, ROOT), NfsStat3.INVAL);
    }));
  });

  describe('mknod', () => {
    for (const type of [Ftype3.FIFO, Ftype3.SOCK]) {
      it(`makes a ${Ftype3[type]}`, withBackend(make, ['specialFiles'], async (f) => {
        const n = await f.b.mknod(f.root, name('node'), type, { mode: 0o640 }, undefined, ROOT);
        assert.equal(n.attrs.type, type);
        assert.equal(n.attrs.mode, 0o640);
        assert.equal((await f.b.lookup(f.root, name('node'), ROOT)).attrs.type, type);
        await rejectsWith(f.b.mknod(f.root, name('node'), type, { mode: 0o640 }, undefined, ROOT), NfsStat3.EXIST);
      }));
    }

    for (const type of [Ftype3.CHR, Ftype3.BLK]) {
      it(`makes a ${Ftype3[type]} device with its numbers`, withBackend(make, ['devices'], async (f) => {
        const device = { major: 1, minor: 3 };
        const n = await f.b.mknod(f.root, name('dev'), type, { mode: 0o600 }, device, ROOT);
        assert.equal(n.attrs.type, type);
        assert.deepEqual(n.attrs.rdev, device);
        assert.deepEqual((await getattr(f, n.handle)).rdev, device);
      }));
    }

    it('refuses types that are not special files with BADTYPE', withBackend(make, [], async (f) => {
      for (const type of [Ftype3.REG, Ftype3.DIR, Ftype3.LNK]) {
        await rejectsWith(f.b.mknod(f.root, name('x'), type, {}, undefined, ROOT), NfsStat3.BADTYPE);
      }
    }));
  });

  describe('link', () => {
    it('adds a name for the same file and counts it in nlink', withBackend(make, ['hardLinks'], async (f) => {
      const a = await createFile(f, f.root, 'a');
      await writeAt(f, a.handle, 0, Buffer.from('shared'));
      const d = await mkdir(f, f.root, 'd');
      const res = await f.b.link(a.handle, d.handle, name('b'), ROOT);
      if (res.attrs) assert.equal(res.attrs.nlink, 2);
      assert.equal((await getattr(f, a.handle)).nlink, 2);
      const b = await f.b.lookup(d.handle, name('b'), ROOT);
      assert.equal(b.attrs.fileid, a.attrs.fileid);
      await f.b.remove(f.root, name('a'), ROOT);
      assert.equal((await getattr(f, b.handle)).nlink, 1);
      assert.equal((await readAll(f, b.handle, 0, 100)).toString(), 'shared');
      assert.equal((await getattr(f, a.handle)).fileid, a.attrs.fileid, 'the old handle still reaches the file');
    }));

    it('fails EXIST on an existing name, NOTDIR into a file, and refuses directories', withBackend(make, ['hardLinks'], async (f) => {
      const a = await createFile(f, f.root, 'a');
      await createFile(f, f.root, 'b');
      await rejectsWith(f.b.link(a.handle, f.root, name('b'), ROOT), NfsStat3.EXIST);
      await rejectsWith(f.b.link(a.handle, a.handle, name('c'), ROOT), NfsStat3.NOTDIR);
      const d = await mkdir(f, f.root, 'd');
      await rejectsWith(f.b.link(d.handle, f.root, name('d2'), ROOT), NfsStat3.PERM, NfsStat3.ISDIR, NfsStat3.INVAL);
    }));
  });

  describe('remove and rmdir', () => {
    it('remove deletes a file name; a missing name is NOENT; a directory is ISDIR', withBackend(make, [], async (f) => {
      await createFile(f, f.root, 'f');
      await f.b.remove(f.root, name('f'), ROOT);
      await rejectsWith(f.b.lookup(f.root, name('f'), ROOT), NfsStat3.NOENT);
      await rejectsWith(f.b.remove(f.root, name('f'), ROOT), NfsStat3.NOENT);
      await mkdir(f, f.root, 'd');
      await rejectsWith(f.b.remove(f.root, name('d'), ROOT), NfsStat3.ISDIR);
      assert.equal((await f.b.lookup(f.root, name('d'), ROOT)).attrs.type, Ftype3.DIR);
    }));

    it('remove takes away a symlink, not its target', withBackend(make, ['symlinks'], async (f) => {
      const target = await createFile(f, f.root, 'target');
      await f.b.symlink(f.root, name('ln'), Buffer.from('target'), {}, ROOT);
      await f.b.remove(f.root, name('ln'), ROOT);
      await rejectsWith(f.b.lookup(f.root, name('ln'), ROOT), NfsStat3.NOENT);
      assert.equal((await getattr(f, target.handle)).nlink, 1);
    }));

    it('rmdir removes an empty directory and uncounts it from the parent nlink', withBackend(make, [], async (f) => {
      const before = (await getattr(f, f.root)).nlink;
      await mkdir(f, f.root, 'd');
      await f.b.rmdir(f.root, name('d'), ROOT);
      await rejectsWith(f.b.lookup(f.root, name('d'), ROOT), NfsStat3.NOENT);
      assert.equal((await getattr(f, f.root)).nlink, before);
    }));

    it('rmdir fails NOTEMPTY on a non-empty directory, NOTDIR on a file, NOENT on a missing name', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      await createFile(f, d.handle, 'inside');
      await rejectsWith(f.b.rmdir(f.root, name('d'), ROOT), NfsStat3.NOTEMPTY, NfsStat3.EXIST);
      await createFile(f, f.root, 'f');
      await rejectsWith(f.b.rmdir(f.root, name('f'), ROOT), NfsStat3.NOTDIR);
      await rejectsWith(f.b.rmdir(f.root, name('missing'), ROOT), NfsStat3.NOENT);
      await f.b.remove(d.handle, name('inside'), ROOT);
      await f.b.rmdir(f.root, name('d'), ROOT);
    }));

    it('rmdir of "." or ".." is refused', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      await rejectsWith(f.b.rmdir(d.handle, name('.'), ROOT), NfsStat3.INVAL, NfsStat3.NOTEMPTY, NfsStat3.EXIST);
      await rejectsWith(f.b.rmdir(d.handle, name('..'), ROOT), NfsStat3.INVAL, NfsStat3.NOTEMPTY, NfsStat3.EXIST);
      assert.equal((await getattr(f, d.handle)).type, Ftype3.DIR);
    }));
  });

  describe('rename', () => {
    it('renames within a directory', withBackend(make, [], async (f) => {
      const a = await createFile(f, f.root, 'a');
      await rename(f, f.root, 'a', f.root, 'b');
      await rejectsWith(f.b.lookup(f.root, name('a'), ROOT), NfsStat3.NOENT);
      assert.equal(await fileidOf(f, f.root, 'b'), a.attrs.fileid);
    }));

    it('moves a file across directories', withBackend(make, [], async (f) => {
      const d1 = await mkdir(f, f.root, 'd1');
      const d2 = await mkdir(f, f.root, 'd2');
      const a = await createFile(f, d1.handle, 'a');
      await rename(f, d1.handle, 'a', d2.handle, 'z');
      await rejectsWith(f.b.lookup(d1.handle, name('a'), ROOT), NfsStat3.NOENT);
      assert.equal(await fileidOf(f, d2.handle, 'z'), a.attrs.fileid);
    }));

    it('replaces an existing file, which loses its name', withBackend(make, [], async (f) => {
      const a = await createFile(f, f.root, 'a');
      await writeAt(f, a.handle, 0, Buffer.from('from a'));
      await createFile(f, f.root, 'b');
      await rename(f, f.root, 'a', f.root, 'b');
      const b = await f.b.lookup(f.root, name('b'), ROOT);
      assert.equal(b.attrs.fileid, a.attrs.fileid);
      assert.equal((await readAll(f, b.handle, 0, 100)).toString(), 'from a');
      await rejectsWith(f.b.lookup(f.root, name('a'), ROOT), NfsStat3.NOENT);
    }));

    it('moves a directory: its ".." and both parents\' nlink follow', withBackend(make, [], async (f) => {
      const p1 = await mkdir(f, f.root, 'p1');
      const p2 = await mkdir(f, f.root, 'p2');
      const d = await mkdir(f, p1.handle, 'd');
      await createFile(f, d.handle, 'inside');
      await rename(f, p1.handle, 'd', p2.handle, 'moved');
      assert.equal((await f.b.lookup(d.handle, name('..'), ROOT)).attrs.fileid, p2.attrs.fileid);
      assert.equal((await getattr(f, p1.handle)).nlink, 2);
      assert.equal((await getattr(f, p2.handle)).nlink, 3);
      assert.equal(await fileidOf(f, await lookup(f, p2.handle, 'moved'), 'inside'), await fileidOf(f, d.handle, 'inside'));
    }));

    it('onto itself, or onto another link of the same file, changes nothing', withBackend(make, [], async (f) => {
      const a = await createFile(f, f.root, 'a');
      await rename(f, f.root, 'a', f.root, 'a');
      assert.equal(await fileidOf(f, f.root, 'a'), a.attrs.fileid);
      const d = await mkdir(f, f.root, 'd');
      await rename(f, f.root, 'd', f.root, 'd');
      assert.equal(await fileidOf(f, f.root, 'd'), d.attrs.fileid);
    }));

    it('onto a hard link of the same file succeeds and keeps both names', withBackend(make, ['hardLinks'], async (f) => {
      const a = await createFile(f, f.root, 'a');
      await f.b.link(a.handle, f.root, name('b'), ROOT);
      await rename(f, f.root, 'a', f.root, 'b');
      assert.equal(await fileidOf(f, f.root, 'a'), a.attrs.fileid, 'POSIX: renaming a link onto itself does nothing');
      assert.equal(await fileidOf(f, f.root, 'b'), a.attrs.fileid);
      assert.equal((await getattr(f, a.handle)).nlink, 2);
    }));

    it('a directory replaces an empty directory but not a non-empty one', withBackend(make, [], async (f) => {
      const src = await mkdir(f, f.root, 'src');
      await mkdir(f, f.root, 'empty');
      const full = await mkdir(f, f.root, 'full');
      await createFile(f, full.handle, 'x');
      await rejectsWith(rename(f, f.root, 'src', f.root, 'full'), NfsStat3.NOTEMPTY, NfsStat3.EXIST);
      assert.equal(await fileidOf(f, f.root, 'src'), src.attrs.fileid);
      const nlink = (await getattr(f, f.root)).nlink;
      await rename(f, f.root, 'src', f.root, 'empty');
      assert.equal(await fileidOf(f, f.root, 'empty'), src.attrs.fileid);
      assert.equal((await getattr(f, f.root)).nlink, nlink - 1);
    }));

    it('type mismatches fail: file onto directory ISDIR, directory onto file NOTDIR', withBackend(make, [], async (f) => {
      await createFile(f, f.root, 'f');
      await mkdir(f, f.root, 'd');
      await rejectsWith(rename(f, f.root, 'f', f.root, 'd'), NfsStat3.ISDIR);
      await rejectsWith(rename(f, f.root, 'd', f.root, 'f'), NfsStat3.NOTDIR);
    }));

    it('a directory cannot move into itself or its own subtree', withBackend(make, [], async (f) => {
      const a = await mkdir(f, f.root, 'a');
      const b = await mkdir(f, a.handle, 'b');
      await rejectsWith(rename(f, f.root, 'a', b.handle, 'a'), NfsStat3.INVAL);
      await rejectsWith(rename(f, f.root, 'a', a.handle, 'self'), NfsStat3.INVAL);
      assert.equal(await fileidOf(f, f.root, 'a'), a.attrs.fileid);
    }));

    it('a missing source is NOENT and a file as target directory is NOTDIR', withBackend(make, [], async (f) => {
      const file = await createFile(f, f.root, 'f');
      await rejectsWith(rename(f, f.root, 'missing', f.root, 'x'), NfsStat3.NOENT);
      await rejectsWith(rename(f, f.root, 'f', file.handle, 'x'), NfsStat3.NOTDIR);
    }));
  });
}
