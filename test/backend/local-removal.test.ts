/**
 * The local backend's mission, on a loop-mounted ext4 image: an idle export
 * holds nothing (umount succeeds), handles survive restarts and unplug/replug
 * (even on another loop device), an absent disk is never written around, and
 * acknowledged data is durable when the protocol says so.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { OpContext } from '../../src/backend/backend.js';
import { statusOf } from '../../src/backend/errors.js';
import { createLocalBackend, type LocalBackend } from '../../src/backend/local/index.js';
import { CreateMode, Ftype3, NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { assertNothingHeld } from '../helpers/fd-tracker.js';
import { isRoot, Scratch } from '../helpers/mounts.js';

const ROOT: OpContext = { cred: { uid: 0, gid: 0, gids: [] } };
const n = (s: string): Buffer => Buffer.from(s);

async function rejectsStale(p: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.equal(NfsStat3[statusOf(err)], 'STALE', `${what}: ${String(err)}`);
    return true;
  });
}

async function makeFile(b: LocalBackend, dir: Buffer, name: string): Promise<{ handle: Buffer; fileid: bigint }> {
  const r = await b.create(dir, n(name), { mode: CreateMode.GUARDED, attrs: { mode: 0o644 } }, ROOT);
  return { handle: r.handle, fileid: r.attrs.fileid };
}

async function readText(b: LocalBackend, fh: Buffer): Promise<string> {
  return (await b.read(fh, 0n, 1 << 16, ROOT)).data.toString();
}

/** Some of everything a client does, so that descriptors of every kind get cached. */
async function exercise(b: LocalBackend): Promise<Buffer> {
  const root = await b.root(ROOT);
  const dir = (await b.mkdir(root, n('dir'), { mode: 0o755 }, ROOT)).handle;
  const f = await makeFile(b, dir, 'file');
  await b.write(f.handle, 0n, n('some data'), StableHow.UNSTABLE, ROOT);
  await b.read(f.handle, 0n, 100, ROOT);
  await b.readdir(dir, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 100, withAttrs: true }, ROOT);
  await b.lookup(dir, n('file'), ROOT);
  return f.handle;
}

describe('local backend on removable storage', { skip: isRoot() ? false : 'needs root (mount, CAP_DAC_READ_SEARCH)' }, () => {
  let s: Scratch;
  let img: string;
  let mnt: string;
  const backends: LocalBackend[] = [];

  async function open(idleMs = 2000): Promise<LocalBackend> {
    const b = await createLocalBackend({ path: mnt, idleMs });
    backends.push(b);
    return b;
  }

  beforeEach(() => {
    s = new Scratch();
    img = s.ext4Image('disk', 32, { journal: false });
    mnt = `${s.dir}/mnt`;
    s.mountImage(img, mnt);
  });

  afterEach(async () => {
    for (const b of backends.splice(0)) await b.close().catch(() => {});
    s.cleanup();
  });

  it('after release(), nothing is held and umount succeeds', async () => {
    const b = await open();
    await exercise(b);
    assert.ok(b.holds().openDescriptors > 0, 'the exercise should have cached descriptors');
    await b.release();
    assert.deepEqual(b.holds(), { openDescriptors: 0, uncommittedBytes: 0, holders: [] });
    assertNothingHeld(mnt, 'after release()');
    s.umount(mnt);
  });

  it('after the idle window, nothing is held and umount succeeds without release(); dirty data was synced first', async () => {
    const b = await open(100);
    const fh = await exercise(b);
    const { fileid } = await b.getattr(fh, ROOT);
    for (let waited = 0; b.holds().openDescriptors > 0; waited += 20) {
      assert.ok(waited < 10_000, `still held after 10 s: ${b.holds().holders.join(', ')}`);
      await sleep(20);
    }
    assertNothingHeld(mnt, 'after the idle window');
    assert.equal(s.readInode(img, fileid).toString(), 'some data', 'closing an idle descriptor fsyncs it');
    s.umount(mnt);
  });

  it('streaming READ/WRITE reuses one cached descriptor', async () => {
    const b = await open();
    const root = await b.root(ROOT);
    const f = await makeFile(b, root, 'stream');
    const chunk = Buffer.alloc(4096, 7);
    for (let i = 0; i < 32; i++) {
      await b.write(f.handle, BigInt(i * chunk.length), chunk, StableHow.UNSTABLE, ROOT);
      await b.read(f.handle, BigInt(i * chunk.length), chunk.length, ROOT);
      // The export root (for open_by_handle_at) and one read-write descriptor of the file.
      assert.equal(b.holds().openDescriptors, 2, b.holds().holders.join(', '));
    }
    assert.equal(b.holds().uncommittedBytes, 32 * chunk.length);
    await b.release();
    assertNothingHeld(mnt);
  });

  it('by default, a busy file for each of hundreds of clients keeps its descriptor (no evictions, no fsyncs)', async () => {
    const b = await open();
    const root = await b.root(ROOT);
    const files = await Promise.all(Array.from({ length: 300 }, (_, i) => makeFile(b, root, `c${i}`)));
    for (let round = 0; round < 2; round++) {
      await Promise.all(files.map((f) => b.write(f.handle, BigInt(round), n('x'), StableHow.UNSTABLE, ROOT)));
    }
    assert.equal(b.holds().openDescriptors, 301, 'the export root and every file');
    assert.equal(b.holds().uncommittedBytes, 600, 'nothing was evicted (an eviction fsyncs)');
    await b.release();
    assertNothingHeld(mnt);
  });

  it('beyond maxCachedFds the least recently used descriptors close, their written data made durable first', async () => {
    const b = await createLocalBackend({ path: mnt, maxCachedFds: 4 });
    backends.push(b);
    const root = await b.root(ROOT);
    const files = [];
    for (let i = 0; i < 10; i++) {
      const f = await makeFile(b, root, `f${i}`);
      await b.write(f.handle, 0n, n(`data ${i}`), StableHow.UNSTABLE, ROOT);
      files.push(f);
    }
    // Evicted leases fsync and close after the call that evicted them: the export root and four files stay.
    for (let waited = 0; b.holds().openDescriptors > 5; waited += 20) {
      assert.ok(waited < 10_000, `still held after 10 s: ${b.holds().holders.join(', ')}`);
      await sleep(20);
    }
    assert.equal(b.holds().openDescriptors, 5);
    assert.equal(b.holds().uncommittedBytes, 4 * 6, 'only the four cached files have uncommitted data');
    // On the disk itself, before any release: the six evicted files' data was fsynced when they were evicted.
    for (const [i, f] of files.slice(0, 6).entries()) assert.equal(s.readInode(img, f.fileid).toString(), `data ${i}`);
    await b.release();
    assertNothingHeld(mnt);
  });

  it('the descriptor CREATE opened serves the WRITE that follows; only regular files it made keep one', async () => {
    const b = await open();
    const root = await b.root(ROOT);
    const f = await makeFile(b, root, 'made');
    // The export root (for open_by_handle_at) and the new file's read-write descriptor, from CREATE itself.
    assert.equal(b.holds().openDescriptors, 2, b.holds().holders.join(', '));
    assert.match(b.holds().holders.join(', '), /made \(read-write\)/);
    await b.write(f.handle, 0n, n('through the adopted descriptor'), StableHow.UNSTABLE, ROOT);
    assert.equal(b.holds().openDescriptors, 2, 'WRITE opened nothing more');
    await b.commit(f.handle, 0n, 0, ROOT);
    assert.equal(await readText(b, f.handle), 'through the adopted descriptor');

    await b.create(root, n('made'), { mode: CreateMode.UNCHECKED, attrs: {} }, ROOT);
    await b.mkdir(root, n('dir'), { mode: 0o755 }, ROOT);
    await b.symlink(root, n('link'), n('made'), {}, ROOT);
    await b.mknod(root, n('fifo'), Ftype3.FIFO, { mode: 0o644 }, undefined, ROOT);
    assert.equal(b.holds().openDescriptors, 2, `nothing kept for an existing file, a directory, a link, a fifo: ${b.holds().holders.join(', ')}`);

    await b.release();
    assertNothingHeld(mnt);
    s.umount(mnt);
  });

  it('handles survive a restart and an unmount/remount on another loop device, renames included', async () => {
    const b1 = await open();
    const root = await b1.root(ROOT);
    const dir = (await b1.mkdir(root, n('dir'), { mode: 0o755 }, ROOT)).handle;
    const f = await makeFile(b1, dir, 'file');
    await b1.write(f.handle, 0n, n('kept'), StableHow.FILE_SYNC, ROOT);
    await b1.rename(root, n('dir'), root, n('moved'), ROOT);
    await b1.close();

    const b2 = await open();
    assert.equal(await readText(b2, f.handle), 'kept', 'after a restart');
    assert.equal((await b2.lookup(dir, n('file'), ROOT)).attrs.fileid, f.fileid);
    await b2.release();

    const before = s.deviceOf(mnt);
    s.umount(mnt);
    s.occupyLoopDevice();
    s.mountImage(img, mnt);
    assert.notEqual(s.deviceOf(mnt), before, 'the remount should be on another loop device');
    assert.equal(await readText(b2, f.handle), 'kept', 'the same instance after the remount');
    const b3 = await open();
    assert.equal(await readText(b3, f.handle), 'kept', 'a new instance after the remount');
    assert.equal((await b3.getattr(dir, ROOT)).fileid, (await b3.lookup(root, n('moved'), ROOT)).attrs.fileid);
  });

  it('with the disk unplugged, calls fail STALE and nothing lands on the filesystem underneath; replugged, old handles work', async () => {
    const b = await open();
    const root = await b.root(ROOT);
    const f = await makeFile(b, root, 'file');
    await b.write(f.handle, 0n, n('on the disk'), StableHow.FILE_SYNC, ROOT);
    await b.release();
    s.umount(mnt);

    assert.equal(await b.present(), false);
    await rejectsStale(b.getattr(root, ROOT), 'getattr of the root');
    await rejectsStale(b.create(root, n('stray'), { mode: CreateMode.UNCHECKED, attrs: { mode: 0o644 } }, ROOT), 'create');
    await rejectsStale(b.mkdir(root, n('stray-dir'), { mode: 0o755 }, ROOT), 'mkdir');
    await rejectsStale(b.write(f.handle, 0n, n('lost'), StableHow.FILE_SYNC, ROOT), 'write');
    await rejectsStale(b.readdir(root, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 10, withAttrs: false }, ROOT), 'readdir');
    assert.deepEqual(readdirSync(mnt), [], 'the bare mount point stays empty');
    assertNothingHeld(mnt, 'while unplugged');

    // Another disk at the same place is not ours either.
    s.mountImage(s.ext4Image('other', 16), mnt);
    assert.equal(await b.present(), false);
    await rejectsStale(b.create(root, n('stray'), { mode: CreateMode.UNCHECKED, attrs: { mode: 0o644 } }, ROOT), 'create on another disk');
    assert.deepEqual(readdirSync(mnt), ['lost+found'], 'the other disk is untouched');
    s.umount(mnt);

    s.mountImage(img, mnt);
    assert.equal(await b.present(), true);
    assert.equal(await readText(b, f.handle), 'on the disk');
  });

  it("a removed file's handle is STALE, also once its inode number is reused", async () => {
    const b = await open();
    const root = await b.root(ROOT);
    const gone = await makeFile(b, root, 'gone');
    await b.write(gone.handle, 0n, n('old'), StableHow.UNSTABLE, ROOT); // a cached descriptor too
    await b.remove(root, n('gone'), ROOT);
    let reused = false;
    for (let i = 0; i < 20 && !reused; i++) reused = (await makeFile(b, root, `new${i}`)).fileid === gone.fileid;
    assert.ok(reused, 'ext4 should have reused the inode number');
    await rejectsStale(b.getattr(gone.handle, ROOT), 'getattr');
    await rejectsStale(b.read(gone.handle, 0n, 10, ROOT), 'read');
    await rejectsStale(b.write(gone.handle, 0n, n('x'), StableHow.FILE_SYNC, ROOT), 'write');
  });

  it('COMMIT makes UNSTABLE writes durable; the data survives an unmount/remount', async () => {
    const b = await open();
    const root = await b.root(ROOT);
    const f = await makeFile(b, root, 'file');
    const w = await b.write(f.handle, 0n, n('committed data'), StableHow.UNSTABLE, ROOT);
    assert.equal(w.committed, StableHow.UNSTABLE);
    assert.equal(b.holds().uncommittedBytes, 14);
    const c = await b.commit(f.handle, 0n, 0, ROOT);
    assert.ok(c.verifier.equals(w.verifier), 'no write was lost, so the verifier is unchanged');
    assert.equal(b.holds().uncommittedBytes, 0);
    assert.equal(s.readInode(img, f.fileid).toString(), 'committed data');
    await b.release();
    s.umount(mnt);
    s.mountImage(img, mnt);
    assert.equal(await readText(b, f.handle), 'committed data');
  });

  it('FILE_SYNC and DATA_SYNC writes are durable when they return', async () => {
    const b = await open();
    const root = await b.root(ROOT);
    for (const [name, how] of [['file-sync', StableHow.FILE_SYNC], ['data-sync', StableHow.DATA_SYNC]] as const) {
      const f = await makeFile(b, root, name);
      const w = await b.write(f.handle, 0n, n(`${name} data`), how, ROOT);
      assert.equal(w.committed, how);
      assert.equal(s.readInode(img, f.fileid).toString(), `${name} data`);
    }
    assert.equal(b.holds().uncommittedBytes, 0);
  });

  it('flush() makes the uncommitted writes of every file durable', async () => {
    const b = await open();
    const root = await b.root(ROOT);
    const files = [await makeFile(b, root, 'a'), await makeFile(b, root, 'b')];
    for (const [i, f] of files.entries()) await b.write(f.handle, 0n, n(`unstable ${i}`), StableHow.UNSTABLE, ROOT);
    assert.equal(b.holds().uncommittedBytes, 20);
    await b.flush();
    assert.equal(b.holds().uncommittedBytes, 0);
    for (const [i, f] of files.entries()) assert.equal(s.readInode(img, f.fileid).toString(), `unstable ${i}`);
  });
});
