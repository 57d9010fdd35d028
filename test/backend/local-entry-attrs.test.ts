/**
 * READDIRPLUS reuses a listed entry's attributes only while nothing can have
 * changed them (src/backend/local/entry-attrs.ts): every kind of change this
 * machine can report (inotify), every change through any local backend of
 * the process, and a file with another name elsewhere make the next listing
 * read them afresh; so does age. GETATTR answers again under the same watch
 * and age rules. The watches never hold the export.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { DirEntry, OpContext } from '../../src/backend/backend.js';
import type { EntryAttrs } from '../../src/backend/local/entry-attrs.js';
import { MAX_AGE_MS, MAX_NAMES, MAX_WATCHES } from '../../src/backend/local/entry-attrs.js';
import { createLocalBackend, type LocalBackend } from '../../src/backend/local/index.js';
import { statusOf } from '../../src/backend/errors.js';
import { NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { assertNothingHeld } from '../helpers/fd-tracker.js';
import { isRoot, Scratch } from '../helpers/mounts.js';

const ROOT: OpContext = { cred: { uid: 0, gid: 0, gids: [] } };
const n = (s: string): Buffer => Buffer.from(s);

/** How many entries the backend gave without a statx (white-box: the count lives on its EntryAttrs). */
function reused(b: LocalBackend): number {
  return (b as unknown as { entryAttrs: EntryAttrs }).entryAttrs.reused;
}

function inotifyFds(): string[] {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:inotify';
    } catch {
      return false;
    }
  });
}

function inotifyDescriptors(): number {
  return inotifyFds().length;
}

/** Watches on all of this process's inotify descriptors. */
function watches(): number {
  return inotifyFds().reduce((n, fd) => n + readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length, 0);
}

/** An ext4 image mounted for one describe block's tests, and a fresh path on it for each. */
function disk(): { s: Scratch; fresh: (prefix: string) => string } {
  const s = new Scratch();
  let mnt = '';
  let seq = 0;
  before(() => {
    mnt = `${s.dir}/mnt`;
    s.mountImage(s.ext4Image('disk'), mnt);
  });
  after(() => s.cleanup());
  return { s, fresh: (prefix) => `${mnt}/${prefix}${seq++}` };
}

/**
 * An export of its own image, whose files `watch` makes the backend watch:
 * once its descriptors are closed (idle), the image unmounts with the
 * watches in place, and release() closes the inotify descriptor.
 */
async function assertUnmountableWhileWatched(s: Scratch, name: string, watch: (b: LocalBackend, root: Buffer) => Promise<void>): Promise<void> {
  const own = `${s.dir}/${name}`;
  s.mountImage(s.ext4Image(name), own);
  for (let i = 0; i < 5; i++) writeFileSync(`${own}/f${i}`, '');
  const fds = inotifyDescriptors();
  const b = await createLocalBackend({ path: own, idleMs: 50 });
  await watch(b, await b.root(ROOT));
  assert.ok(watches() > 0);
  assert.equal(inotifyDescriptors(), fds + 1);
  for (let waited = 0; b.holds().openDescriptors > 0; waited += 20) {
    assert.ok(waited < 10_000, `still held: ${b.holds().holders.join(', ')}`);
    await sleep(20);
  }
  assertNothingHeld(own);
  s.umount(own); // with the watches in place
  await b.release();
  assert.equal(inotifyDescriptors(), fds, 'release() closed the inotify descriptor');
  await b.close();
}

async function list(b: LocalBackend, dir: Buffer): Promise<Map<string, DirEntry>> {
  const page = await b.readdir(dir, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 1000, withAttrs: true }, ROOT);
  return new Map(page.entries.map((e) => [e.name.toString(), e]));
}

/** Every entry's attributes are what LOOKUP reads now. */
async function assertCurrent(b: LocalBackend, dir: Buffer, entries: Map<string, DirEntry>, what: string): Promise<void> {
  for (const [name, e] of entries) {
    if (name === '.' || name === '..') continue;
    assert.deepEqual(e.attrs, (await b.lookup(dir, n(name), ROOT)).attrs, `${what}: ${name}`);
  }
}

describe('local backend: READDIRPLUS attributes reused while provably current', { skip: isRoot() ? false : 'needs root (mount, CAP_DAC_READ_SEARCH)' }, () => {
  const { s, fresh } = disk();

  /** A directory of `count` files in an export of its own. */
  async function setup(count = 50): Promise<{ path: string; b: LocalBackend; root: Buffer }> {
    const path = fresh('d');
    mkdirSync(path);
    for (let i = 0; i < count; i++) writeFileSync(`${path}/f${i}`, 'x');
    const b = await createLocalBackend({ path });
    return { path, b, root: await b.root(ROOT) };
  }

  it('listing again right away reuses them; after MAX_AGE_MS they are read again', async () => {
    const { b, root } = await setup();
    await list(b, root);
    const before = reused(b);
    await assertCurrent(b, root, await list(b, root), 'second listing');
    assert.equal(reused(b) - before, 50, 'every file of the second listing');
    await sleep(MAX_AGE_MS + 50);
    const again = reused(b);
    await list(b, root);
    assert.equal(reused(b) - again, 0, 'too old: read afresh');
    await b.close();
  });

  it('changes by any process through a path are seen at once: write, truncate, chmod, chown, utimes', async () => {
    const { path, b, root } = await setup();
    await list(b, root);
    writeFileSync(`${path}/f1`, 'longer contents');
    truncateSync(`${path}/f2`, 1000);
    chmodSync(`${path}/f3`, 0o600);
    utimesSync(`${path}/f4`, 1_000_000, 2_000_000);
    chownSync(`${path}/f5`, 1234, 4321);
    const second = await list(b, root);
    await assertCurrent(b, root, second, 'after changes behind the backend');
    assert.equal(second.get('f1')!.attrs!.size, 15n);
    assert.equal(second.get('f2')!.attrs!.size, 1000n);
    assert.equal(second.get('f3')!.attrs!.mode, 0o600);
    assert.equal(second.get('f4')!.attrs!.mtime.seconds, 2_000_000);
    assert.equal(second.get('f5')!.attrs!.uid, 1234);
    assert.ok(reused(b) > 0 && reused(b) <= 45, 'the unchanged files were reused, the changed ones not');
    await b.close();
  });

  it('a change through this backend, or another backend of the process, makes the next listing read everything', async () => {
    const { path, b, root } = await setup();
    const other = await createLocalBackend({ path });
    await list(b, root);
    const f0 = (await b.lookup(root, n('f0'), ROOT)).handle;
    await other.write(f0, 0n, n('through another export'), StableHow.UNSTABLE, ROOT);
    const before = reused(b);
    const second = await list(b, root);
    assert.equal(reused(b), before, 'nothing reused after a change through a backend');
    assert.equal(second.get('f0')!.attrs!.size, 22n);
    await list(b, root);
    assert.equal(reused(b) - before, 50, 'reused again once read after the change');
    await b.setattr(f0, { mode: 0o640 }, undefined, ROOT);
    assert.equal((await list(b, root)).get('f0')!.attrs!.mode, 0o640);
    await other.close();
    await b.close();
  });

  it('events lost to a full queue make every entry be read afresh', async () => {
    const limit = '/proc/sys/fs/inotify/max_queued_events';
    const saved = readFileSync(limit, 'utf8');
    // Read when the descriptor is made, at the first listing: a queue of 8 events.
    writeFileSync(limit, '8');
    try {
      const { path, b, root } = await setup(30);
      await list(b, root);
      for (let i = 0; i < 30; i++) writeFileSync(`${path}/f${i}`, 'y'.repeat(i + 2));
      const before = reused(b);
      const second = await list(b, root);
      assert.equal(reused(b), before, 'nothing reused after an overflow');
      await assertCurrent(b, root, second, 'after an overflow');
      await b.close();
    } finally {
      writeFileSync(limit, saved);
    }
  });

  it(`at most ${MAX_WATCHES} directories are watched per export; beyond, listings work without`, async () => {
    const { path, b, root } = await setup(0);
    const before = watches();
    for (let i = 0; i < MAX_WATCHES + 20; i++) {
      mkdirSync(`${path}/d${i}`);
      writeFileSync(`${path}/d${i}/f`, String(i));
    }
    for (let i = 0; i < MAX_WATCHES + 20; i++) {
      const dir = (await b.lookup(root, n(`d${i}`), ROOT)).handle;
      assert.equal((await list(b, dir)).get('f')!.attrs!.size, BigInt(String(i).length));
    }
    assert.ok(watches() - before <= MAX_WATCHES, `${watches() - before} watches`);
    await b.release();
    assert.equal(watches(), before);
    await b.close();
  });

  it('a file with another name elsewhere is always read afresh', async () => {
    const { path, b, root } = await setup(3);
    mkdirSync(`${path}-elsewhere`);
    linkSync(`${path}/f0`, `${path}-elsewhere/alias`);
    await list(b, root);
    const before = reused(b);
    await list(b, root);
    assert.equal(reused(b) - before, 2, 'f1 and f2 only');
    await b.close();
  });

  it('the watches never hold the export: umount succeeds with them, release closes the inotify descriptor', () =>
    assertUnmountableWhileWatched(s, 'own', (b, root) => list(b, root).then(() => undefined)));

  it('a watched directory removed leaves nothing to reuse and nothing broken', async () => {
    const { path, b, root } = await setup(3);
    const sub = `${path}/sub`;
    mkdirSync(sub);
    writeFileSync(`${sub}/x`, '');
    const subHandle = (await b.lookup(root, n('sub'), ROOT)).handle;
    await list(b, subHandle);
    const before = reused(b);
    await list(b, subHandle);
    assert.equal(reused(b) - before, 1, 'x reused while the directory is watched');
    rmSync(sub, { recursive: true });
    await assert.rejects(list(b, subHandle), (err: unknown) => statusOf(err) === NfsStat3.STALE);
    const top = await list(b, root);
    assert.ok(!top.has('sub'));
    await assertCurrent(b, root, top, 'the export after the removal');
    await b.close();
  });
});

describe('local backend: GETATTR answered again while provably current', { skip: isRoot() ? false : 'needs root (mount, CAP_DAC_READ_SEARCH)' }, () => {
  const { s, fresh } = disk();

  /** A file in an export of its own, and its handle. */
  async function setup(): Promise<{ path: string; file: string; b: LocalBackend; fh: Buffer; root: Buffer }> {
    const path = fresh('g');
    mkdirSync(path);
    writeFileSync(`${path}/f`, 'x');
    const b = await createLocalBackend({ path });
    const root = await b.root(ROOT);
    return { path, file: `${path}/f`, b, fh: (await b.lookup(root, n('f'), ROOT)).handle, root };
  }

  /** GETATTR gives what the kernel has now (as stat(2) reads it through the path). */
  async function assertCurrentAttrs(b: LocalBackend, fh: Buffer, path: string, what: string): Promise<void> {
    const a = await b.getattr(fh, ROOT);
    const st = statSync(path, { bigint: true });
    assert.deepEqual(
      { size: a.size, mode: a.mode, nlink: a.nlink, uid: a.uid, gid: a.gid, mtime: a.mtime, ctime: a.ctime },
      {
        size: st.size,
        mode: Number(st.mode & 0o7777n),
        nlink: Number(st.nlink),
        uid: Number(st.uid),
        gid: Number(st.gid),
        mtime: { seconds: Number(st.mtimeNs / 1_000_000_000n), nseconds: Number(st.mtimeNs % 1_000_000_000n) },
        ctime: { seconds: Number(st.ctimeNs / 1_000_000_000n), nseconds: Number(st.ctimeNs % 1_000_000_000n) },
      },
      what,
    );
  }

  it('asking again right away reads nothing; after MAX_AGE_MS it reads again', async () => {
    const { b, fh, file } = await setup();
    await assertCurrentAttrs(b, fh, file, 'first');
    const before = reused(b);
    for (let i = 0; i < 10; i++) await assertCurrentAttrs(b, fh, file, `again ${i}`);
    assert.equal(reused(b) - before, 10);
    await sleep(MAX_AGE_MS + 50);
    const again = reused(b);
    await b.getattr(fh, ROOT);
    assert.equal(reused(b) - again, 0, 'too old: read afresh');
    await b.close();
  });

  it('every change by another process is seen at once: write, truncate, chmod, chown, utimes, link, rename', async () => {
    const { path, file, b, fh } = await setup();
    const renamed = `${path}/renamed`;
    // Each change, and where the file is after it.
    const changes: Array<[string, () => void, string]> = [
      ['write', () => writeFileSync(file, 'longer contents'), file],
      ['truncate', () => truncateSync(file, 1000), file],
      ['chmod', () => chmodSync(file, 0o600), file],
      ['chown', () => chownSync(file, 1234, 4321), file],
      ['utimes', () => utimesSync(file, 1_000_000, 2_000_000), file],
      ['link', () => linkSync(file, `${path}/alias`), file],
      ['unlink of the other name', () => rmSync(`${path}/alias`), file],
      ['rename', () => renameSync(file, renamed), renamed],
      ['rename back', () => renameSync(renamed, file), file],
    ];
    for (const [what, change, where] of changes) {
      await b.getattr(fh, ROOT);
      const before = reused(b);
      await b.getattr(fh, ROOT);
      assert.equal(reused(b) - before, 1, `held before the ${what}`);
      change();
      await assertCurrentAttrs(b, fh, where, `after ${what}`);
    }
    await b.close();
  });

  it('a directory: names added, removed or renamed in it are seen at once', async () => {
    const { path, b, root } = await setup();
    for (const change of [() => writeFileSync(`${path}/new`, ''), () => renameSync(`${path}/new`, `${path}/newer`), () => rmSync(`${path}/newer`)]) {
      await assertCurrentAttrs(b, root, path, 'before');
      await sleep(5); // timestamps that differ even at coarse granularity
      change();
      await assertCurrentAttrs(b, root, path, 'after');
    }
    await b.close();
  });

  it('changes through a handle, by this backend or another one, are seen at once', async () => {
    const { path, file, b, fh } = await setup();
    const other = await createLocalBackend({ path });
    await b.getattr(fh, ROOT);
    await other.write(fh, 0n, n('through another export'), StableHow.UNSTABLE, ROOT);
    await assertCurrentAttrs(b, fh, file, 'after a write through another backend');
    await b.setattr(fh, { mode: 0o640 }, undefined, ROOT);
    await assertCurrentAttrs(b, fh, file, 'after a setattr through this one');
    await other.close();
    await b.close();
  });

  it('no write by another process is missed, however close it comes before the GETATTR', async () => {
    const { file, b, fh } = await setup();
    for (let i = 2; i < 300; i++) {
      appendFileSync(file, 'y');
      assert.equal((await b.getattr(fh, ROOT)).size, BigInt(i));
    }
    await b.close();
  });

  it('a request read after a change sees it, even when a drain served the requests read before it', async () => {
    const { file, b, fh } = await setup();
    await b.getattr(fh, ROOT);
    for (let i = 2; i < 100; i++) {
      await b.getattr(fh, { ...ROOT, receivedAt: performance.now() }); // drains after its own receipt
      appendFileSync(file, 'y');
      assert.equal((await b.getattr(fh, { ...ROOT, receivedAt: performance.now() })).size, BigInt(i));
    }
    await b.close();
  });

  it('a file removed by another process is stale at once, not answered from what was held', async () => {
    const { file, b, fh } = await setup();
    await b.getattr(fh, ROOT);
    rmSync(file);
    await assert.rejects(b.getattr(fh, ROOT), (err: unknown) => statusOf(err) === NfsStat3.STALE);
    await b.close();
  });

  it(`at most ${MAX_WATCHES} objects are watched per export; beyond, GETATTR reads every time`, async () => {
    const { path, b, root } = await setup();
    await b.release(); // setup's LOOKUP watched the file and the directory
    const before = watches();
    const files: Buffer[] = [];
    for (let i = 0; i < MAX_WATCHES + 20; i++) {
      writeFileSync(`${path}/m${i}`, 'y'.repeat(i % 7));
      files.push((await b.lookup(root, n(`m${i}`), ROOT)).handle);
    }
    for (const [i, fh] of files.entries()) assert.equal((await b.getattr(fh, ROOT)).size, BigInt(i % 7));
    assert.ok(watches() - before <= MAX_WATCHES, `${watches() - before} watches`);
    const last = files.at(-1)!;
    writeFileSync(`${path}/m${files.length - 1}`, 'changed');
    assert.equal((await b.getattr(last, ROOT)).size, 7n, 'an object beyond the cap is read afresh');
    await b.release();
    assert.equal(watches(), before);
    await b.close();
  });

  it('symbolic links are read every time (they cannot be watched through /proc)', async () => {
    const { path, b, root } = await setup();
    symlinkSync('f', `${path}/link`);
    const link = (await b.lookup(root, n('link'), ROOT)).handle;
    await b.getattr(link, ROOT);
    const before = reused(b);
    assert.equal((await b.getattr(link, ROOT)).size, 1n);
    assert.equal(reused(b), before);
    await b.close();
  });

  it('the watches never hold the export: umount succeeds with watched files, release removes every watch', () =>
    assertUnmountableWhileWatched(s, 'own-g', async (b, root) => {
      for (let i = 0; i < 5; i++) await b.getattr((await b.lookup(root, n(`f${i}`), ROOT)).handle, ROOT);
    }));
});

describe('local backend: LOOKUP answered again while provably current', { skip: isRoot() ? false : 'needs root (mount, CAP_DAC_READ_SEARCH)' }, () => {
  const { fresh } = disk();
  const USER: OpContext = { cred: { uid: 1000, gid: 1000, gids: [] } };

  async function setup(): Promise<{ path: string; b: LocalBackend; root: Buffer }> {
    const path = fresh('l');
    mkdirSync(path);
    for (const f of ['a', 'b']) writeFileSync(`${path}/${f}`, f);
    const b = await createLocalBackend({ path });
    return { path, b, root: await b.root(ROOT) };
  }

  /** LOOKUP gives what a fresh export (nothing held) gives now. */
  async function assertCurrentLookup(b: LocalBackend, path: string, dir: Buffer, name: string, ctx: OpContext, what: string): Promise<void> {
    const fresh = await createLocalBackend({ path });
    try {
      const want = await fresh.lookup(dir, n(name), ctx).catch((err: unknown) => statusOf(err));
      const got = await b.lookup(dir, n(name), ctx).catch((err: unknown) => statusOf(err));
      assert.deepEqual(got, want, what);
    } finally {
      await fresh.close();
    }
  }

  it('asking again right away reads nothing, for the same caller only', async () => {
    const { b, root } = await setup();
    await b.lookup(root, n('a'), ROOT);
    const before = reused(b);
    const again = await b.lookup(root, n('a'), ROOT);
    assert.equal(reused(b) - before, 1);
    assert.equal(again.attrs.size, 1n);
    await b.lookup(root, n('a'), USER);
    assert.equal(reused(b) - before, 1, 'another caller: its search permission is decided by the kernel');
    await b.close();
  });

  it('names removed, renamed over or added by another process are seen at once', async () => {
    const { path, b, root } = await setup();
    const steps: Array<[string, () => void, string]> = [
      ['remove', () => rmSync(`${path}/a`), 'a'],
      ['rename over', () => renameSync(`${path}/b`, `${path}/a`), 'a'],
      ['create', () => writeFileSync(`${path}/b`, 'new b'), 'b'],
      ['replace by a directory', () => (rmSync(`${path}/b`), mkdirSync(`${path}/b`)), 'b'],
    ];
    for (const [what, change, name] of steps) {
      await b.lookup(root, n(name), ROOT).catch(() => undefined);
      await b.lookup(root, n(name), ROOT).catch(() => undefined);
      change();
      await assertCurrentLookup(b, path, root, name, ROOT, `after ${what}`);
    }
    await b.close();
  });

  it('a change to the object, by another process or through a handle, is in the next answer', async () => {
    const { path, b, root } = await setup();
    const other = await createLocalBackend({ path });
    const a = (await b.lookup(root, n('a'), ROOT)).handle;
    await b.lookup(root, n('a'), ROOT);
    writeFileSync(`${path}/a`, 'longer');
    assert.equal((await b.lookup(root, n('a'), ROOT)).attrs.size, 6n);
    await other.write(a, 0n, n('longer still'), StableHow.UNSTABLE, ROOT);
    assert.equal((await b.lookup(root, n('a'), ROOT)).attrs.size, 12n);
    await assertCurrentLookup(b, path, root, 'a', ROOT, 'after both');
    await other.close();
    await b.close();
  });

  it("files of the directory being written or read keep its answers; the directory's own changes do not", async () => {
    const { path, b, root } = await setup();
    await b.lookup(root, n('a'), ROOT);
    writeFileSync(`${path}/b`, 'written'); // an event naming b on the directory's watch
    readFileSync(`${path}/b`);
    const before = reused(b);
    await assertCurrentLookup(b, path, root, 'a', ROOT, 'after b was written and read');
    assert.equal(reused(b) - before, 1, 'answered again');
    utimesSync(path, 1_000_000, 2_000_000);
    await assertCurrentLookup(b, path, root, 'a', ROOT, "after the directory's times changed");
    await b.close();
  });

  it('search permission taken away from the directory is enforced at once', async () => {
    const { path, b, root } = await setup();
    const sub = `${path}/sub`;
    mkdirSync(sub, { mode: 0o755 });
    writeFileSync(`${sub}/x`, '');
    const subHandle = (await b.lookup(root, n('sub'), ROOT)).handle;
    await b.lookup(subHandle, n('x'), USER);
    await b.lookup(subHandle, n('x'), USER);
    chmodSync(sub, 0o700);
    await assert.rejects(b.lookup(subHandle, n('x'), USER), (err: unknown) => statusOf(err) === NfsStat3.ACCES);
    // Root reads the directory's attributes again: the user's earlier permission must not come back with them.
    assert.equal((await b.lookup(subHandle, n('x'), ROOT)).attrs.size, 0n);
    await assert.rejects(b.lookup(subHandle, n('x'), USER), (err: unknown) => statusOf(err) === NfsStat3.ACCES);
    await b.close();
  });

  it(`what is kept stays within ${MAX_NAMES} names and callers, however many credentials clients send`, async () => {
    const { b, root } = await setup();
    type Names = Map<string, { found: Map<string, unknown>; searchers: Set<string> }>;
    const kept = (): number => {
      const names = (b as unknown as { entryAttrs: { names: Names } }).entryAttrs.names;
      return [...names.values()].reduce((sum, d) => sum + d.found.size + d.searchers.size, 0);
    };
    for (let uid = 1; uid <= MAX_NAMES + 100; uid++) await b.lookup(root, n('a'), { cred: { uid, gid: uid, gids: [] } });
    assert.ok(kept() > 0 && kept() <= MAX_NAMES, `${kept()} kept`);
    assert.equal((await b.lookup(root, n('a'), USER)).attrs.size, 1n);
    await b.close();
  });

  it('a name removed while its file lives on under another name is gone at once', async () => {
    const { path, b, root } = await setup();
    linkSync(`${path}/a`, `${path}/c`);
    await b.lookup(root, n('a'), ROOT);
    await b.lookup(root, n('a'), ROOT);
    rmSync(`${path}/a`);
    // The same file and the directory, read again through the other name.
    await b.lookup(root, n('c'), ROOT);
    await assert.rejects(b.lookup(root, n('a'), ROOT), (err: unknown) => statusOf(err) === NfsStat3.NOENT);
    await b.close();
  });
});
