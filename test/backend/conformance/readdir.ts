/** READDIR/READDIRPLUS paging: completeness, cookies as continuation points, stability under change. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirEntry } from '../../../src/backend/backend.js';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import {
  createFile,
  getattr,
  listAll,
  mkdir,
  name,
  names,
  rejectsWith,
  ROOT,
  sorted,
  withBackend,
  ZERO_VERIFIER,
  type Fixture,
  type MakeBackend,
} from './fixture.js';

async function populate(f: Fixture, dir: Buffer, count: number, prefix = 'e'): Promise<string[]> {
  const made: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = `${prefix}${String(i).padStart(3, '0')}`;
    if (i % 5 === 0) await mkdir(f, dir, n);
    else await createFile(f, dir, n);
    made.push(n);
  }
  return made;
}

function assertNoDuplicates(entries: readonly DirEntry[]): void {
  const seen = new Set<string>();
  for (const n of names(entries)) {
    assert.ok(!seen.has(n), `"${n}" listed twice`);
    seen.add(n);
  }
}

export function readdir(make: MakeBackend): void {
  describe('readdir', () => {
    it('an empty directory lists exactly "." and ".." with their fileids', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      const entries = await listAll(f, d.handle);
      assert.deepEqual(sorted(names(entries)), ['.', '..']);
      const byName = new Map(entries.map((e) => [e.name.toString(), e]));
      assert.equal(byName.get('.')!.fileid, d.attrs.fileid);
      assert.equal(byName.get('..')!.fileid, (await getattr(f, f.root)).fileid);
    }));

    for (const pageSize of [1, 2, 3, 7]) {
      it(`lists every entry exactly once in pages of ${pageSize}`, withBackend(make, [], async (f) => {
        const made = await populate(f, f.root, 40);
        const entries = await listAll(f, f.root, pageSize);
        assertNoDuplicates(entries);
        assert.deepEqual(sorted(names(entries)), sorted(['.', '..', ...made]));
        const cookies = new Set(entries.map((e) => e.cookie));
        assert.equal(cookies.size, entries.length, 'cookies are distinct');
        assert.ok(!cookies.has(0n), 'cookie 0 is reserved for the start');
      }));
    }

    it('every cookie continues right after its entry', withBackend(make, [], async (f) => {
      await populate(f, f.root, 12);
      const first = await f.b.readdir(f.root, { cookie: 0n, verifier: ZERO_VERIFIER, maxEntries: 1000, withAttrs: false }, ROOT);
      assert.ok(first.eof);
      assert.equal(first.verifier.length, 8, 'cookie verifier is 8 bytes');
      const all = first.entries;
      for (let i = 0; i < all.length; i++) {
        const page = await f.b.readdir(
          f.root,
          { cookie: all[i]!.cookie, verifier: first.verifier, maxEntries: 2, withAttrs: false },
          ROOT,
        );
        assert.equal(page.verifier.length, 8);
        assert.deepEqual(names(page.entries), names(all.slice(i + 1, i + 3)), `continuing after "${all[i]!.name}"`);
        if (i + 1 >= all.length) assert.ok(page.eof, 'continuing after the last entry is at eof');
      }
    }));

    it('cookies stay valid while other entries are added and removed between pages', withBackend(make, [], async (f) => {
      const made = await populate(f, f.root, 30);
      const seen: DirEntry[] = [];
      let page = await f.b.readdir(f.root, { cookie: 0n, verifier: ZERO_VERIFIER, maxEntries: 12, withAttrs: false }, ROOT);
      seen.push(...page.entries);
      assert.ok(!page.eof && page.entries.length > 0);
      const seenNames = new Set(names(seen));
      const unseen = made.filter((n) => !seenNames.has(n));
      const lastSeen = seen[seen.length - 1]!.name.toString();
      // Remove the entry we continue from, some already listed and some not yet listed; add new ones.
      const removed = new Set([lastSeen, ...made.filter((n) => seenNames.has(n)).slice(0, 3), ...unseen.filter((_, i) => i % 4 === 1)]);
      for (const n of removed) {
        const isDir = made.indexOf(n) % 5 === 0;
        if (isDir) await f.b.rmdir(f.root, name(n), ROOT);
        else await f.b.remove(f.root, name(n), ROOT);
      }
      const added = await populate(f, f.root, 10, 'new');
      let cookie = page.entries[page.entries.length - 1]!.cookie;
      while (!page.eof) {
        page = await f.b.readdir(f.root, { cookie, verifier: page.verifier, maxEntries: 5, withAttrs: false }, ROOT);
        seen.push(...page.entries);
        if (page.entries.length > 0) cookie = page.entries[page.entries.length - 1]!.cookie;
        else assert.ok(page.eof, 'an empty page must be at eof');
      }
      assertNoDuplicates(seen);
      const listed = new Set(names(seen));
      for (const n of ['.', '..', ...made]) {
        if (!removed.has(n)) assert.ok(listed.has(n), `unchanged entry "${n}" was skipped`);
      }
      for (const n of unseen) {
        if (removed.has(n)) assert.ok(!listed.has(n), `"${n}" was listed after its removal`);
      }
      for (const n of listed) assert.ok(n === '.' || n === '..' || made.includes(n) || added.includes(n), `unknown "${n}"`);
    }));

    it('with attributes gives handles and attributes consistent with lookup and getattr', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      await populate(f, d.handle, 9);
      const entries = await listAll(f, d.handle, 4, true);
      assert.equal(entries.length, 11);
      for (const e of entries) {
        const n = e.name.toString();
        assert.ok(e.handle && e.attrs, `"${n}" has a handle and attributes`);
        assert.equal(e.attrs.fileid, e.fileid);
        const viaHandle = await f.b.getattr(e.handle, ROOT);
        assert.equal(viaHandle.fileid, e.fileid);
        const viaLookup = await f.b.lookup(d.handle, e.name, ROOT);
        assert.equal(viaLookup.attrs.fileid, e.fileid, `lookup of "${n}"`);
        assert.equal(e.attrs.type, viaLookup.attrs.type);
        assert.equal(e.attrs.size, viaLookup.attrs.size);
        assert.equal(e.attrs.nlink, viaLookup.attrs.nlink);
      }
      const dot = entries.find((e) => e.name.toString() === '.')!;
      assert.equal(dot.fileid, d.attrs.fileid);
      const dotdot = entries.find((e) => e.name.toString() === '..')!;
      assert.equal(dotdot.fileid, (await getattr(f, f.root)).fileid);
    }));

    it('without attributes still gives fileids that match lookup', withBackend(make, [], async (f) => {
      await populate(f, f.root, 6);
      for (const e of await listAll(f, f.root, 3)) {
        assert.equal((await f.b.lookup(f.root, e.name, ROOT)).attrs.fileid, e.fileid, `fileid of "${e.name}"`);
      }
    }));

    it('of a file is NOTDIR', withBackend(make, [], async (f) => {
      const file = await createFile(f, f.root, 'f');
      await rejectsWith(
        f.b.readdir(file.handle, { cookie: 0n, verifier: ZERO_VERIFIER, maxEntries: 10, withAttrs: false }, ROOT),
        NfsStat3.NOTDIR,
      );
    }));
  });
}
