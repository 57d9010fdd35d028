/**
 * Weak cache consistency: `before` (when given) is the pre-op state and
 * `after` the post-op truth. A change is detected by first moving mtime into
 * the past with SETATTR, so no test depends on two operations falling into
 * different clock ticks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ftype3, StableHow, TimeHow } from '../../../src/proto/nfs3/constants.js';
import type { Fattr3, FileHandle, WccData } from '../../../src/proto/nfs3/types.js';
import {
  assertTimeNotBefore,
  createFile,
  getattr,
  mkdir,
  name,
  ROOT,
  timeNs,
  withBackend,
  type CapabilityName,
  type Fixture,
  type MakeBackend,
} from './fixture.js';

const PAST = { seconds: 1_000_000_000, nseconds: 0 };

async function ageMtime(f: Fixture, fh: FileHandle): Promise<Fattr3> {
  await f.b.setattr(fh, { mtime: { how: TimeHow.SET_TO_CLIENT_TIME, time: PAST } }, undefined, ROOT);
  return getattr(f, fh);
}

/** Checks one side of a changed object: before matches `pre`, after is what getattr says now, and mtime moved. */
async function assertChanged(f: Fixture, fh: FileHandle, pre: Fattr3, wcc: WccData, what: string): Promise<Fattr3> {
  if (wcc.before) {
    assert.deepEqual(
      { size: wcc.before.size, mtime: wcc.before.mtime, ctime: wcc.before.ctime },
      { size: pre.size, mtime: pre.mtime, ctime: pre.ctime },
      `${what}: before is the pre-op state`,
    );
  }
  assert.ok(wcc.after, `${what}: post-op attributes are returned`);
  const now = await getattr(f, fh);
  assert.equal(wcc.after.fileid, now.fileid, `${what}: after describes the right object`);
  assert.deepEqual(
    { size: wcc.after.size, nlink: wcc.after.nlink, mtime: wcc.after.mtime, ctime: wcc.after.ctime },
    { size: now.size, nlink: now.nlink, mtime: now.mtime, ctime: now.ctime },
    `${what}: after is the post-op truth`,
  );
  assert.ok(timeNs(now.mtime) > timeNs(PAST), `${what}: mtime changed`);
  assertTimeNotBefore(now.ctime, pre.ctime, `${what}: ctime`);
  return now;
}

interface DirCase {
  title: string;
  needs: CapabilityName[];
  /** Prepares names the operation needs, before the directory's mtime is aged. */
  setup?: (f: Fixture) => Promise<void>;
  op: (f: Fixture) => Promise<WccData>;
  nlinkDelta: number;
}

const dirCases: DirCase[] = [
  {
    title: 'create',
    needs: [],
    op: async (f) => (await createFile(f, f.root, 'x')).dirWcc,
    nlinkDelta: 0,
  },
  {
    title: 'mkdir',
    needs: [],
    op: async (f) => (await mkdir(f, f.root, 'x')).dirWcc,
    nlinkDelta: 1,
  },
  {
    title: 'symlink',
    needs: ['symlinks'],
    op: async (f) => (await f.b.symlink(f.root, name('x'), Buffer.from('t'), {}, ROOT)).dirWcc,
    nlinkDelta: 0,
  },
  {
    title: 'mknod',
    needs: ['specialFiles'],
    op: async (f) => (await f.b.mknod(f.root, name('x'), Ftype3.FIFO, { mode: 0o644 }, undefined, ROOT)).dirWcc,
    nlinkDelta: 0,
  },
  {
    title: 'link',
    needs: ['hardLinks'],
    setup: async (f) => void (await createFile(f, f.root, 'target')),
    op: async (f) => (await f.b.link((await f.b.lookup(f.root, name('target'), ROOT)).handle, f.root, name('x'), ROOT)).dirWcc,
    nlinkDelta: 0,
  },
  {
    title: 'remove',
    needs: [],
    setup: async (f) => void (await createFile(f, f.root, 'x')),
    op: (f) => f.b.remove(f.root, name('x'), ROOT),
    nlinkDelta: 0,
  },
  {
    title: 'rmdir',
    needs: [],
    setup: async (f) => void (await mkdir(f, f.root, 'x')),
    op: (f) => f.b.rmdir(f.root, name('x'), ROOT),
    nlinkDelta: -1,
  },
];

export function wcc(make: MakeBackend): void {
  describe('wcc data', () => {
    for (const c of dirCases) {
      it(`${c.title} reports the directory before and after`, withBackend(make, c.needs, async (f) => {
        await c.setup?.(f);
        const pre = await ageMtime(f, f.root);
        const now = await assertChanged(f, f.root, pre, await c.op(f), c.title);
        assert.equal(now.nlink, pre.nlink + c.nlinkDelta, `${c.title}: directory nlink`);
      }));
    }

    it('rename reports both directories, and a moved directory moves a link count', withBackend(make, [], async (f) => {
      const from = await mkdir(f, f.root, 'from');
      const to = await mkdir(f, f.root, 'to');
      await mkdir(f, from.handle, 'moving');
      const preFrom = await ageMtime(f, from.handle);
      const preTo = await ageMtime(f, to.handle);
      const res = await f.b.rename(from.handle, name('moving'), to.handle, name('moved'), ROOT);
      const nowFrom = await assertChanged(f, from.handle, preFrom, res.fromDirWcc, 'rename source');
      const nowTo = await assertChanged(f, to.handle, preTo, res.toDirWcc, 'rename target');
      assert.equal(nowFrom.nlink, preFrom.nlink - 1);
      assert.equal(nowTo.nlink, preTo.nlink + 1);
    }));

    it('write reports the file before and after', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      await f.b.write(handle, 0n, Buffer.from('abc'), StableHow.FILE_SYNC, ROOT);
      const pre = await ageMtime(f, handle);
      const res = await f.b.write(handle, 10n, Buffer.from('xyz'), StableHow.UNSTABLE, ROOT);
      const now = await assertChanged(f, handle, pre, res.wcc, 'write');
      assert.equal(now.size, 13n);
    }));

    it('link and remove change the file\'s link count and ctime', withBackend(make, ['hardLinks'], async (f) => {
      const a = await createFile(f, f.root, 'a');
      const pre = await getattr(f, a.handle);
      const res = await f.b.link(a.handle, f.root, name('b'), ROOT);
      const linked = await getattr(f, a.handle);
      assert.equal(linked.nlink, 2);
      if (res.attrs) assert.equal(res.attrs.nlink, 2);
      assertTimeNotBefore(linked.ctime, pre.ctime, 'ctime after link');
      await f.b.remove(f.root, name('b'), ROOT);
      const unlinked = await getattr(f, a.handle);
      assert.equal(unlinked.nlink, 1);
      assertTimeNotBefore(unlinked.ctime, linked.ctime, 'ctime after unlink');
    }));
  });
}
