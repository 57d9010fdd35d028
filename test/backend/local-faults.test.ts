/**
 * Lost writes are never silent: an ext4 image whose backing file lives on a
 * nearly full tmpfs accepts writes into its page cache, then fails when they
 * are written back (the loop device gets ENOSPC), which is exactly the
 * deferred failure unfs3 learned to report: the write verifier changes so
 * clients resend, and the error is reported on the next WRITE/COMMIT.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { OpContext } from '../../src/backend/backend.js';
import { statusOf } from '../../src/backend/errors.js';
import { createLocalBackend, type LocalBackend } from '../../src/backend/local/index.js';
import { CreateMode, NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { assertNothingHeld } from '../helpers/fd-tracker.js';
import { isRoot, Scratch } from '../helpers/mounts.js';

const ROOT: OpContext = { cred: { uid: 0, gid: 0, gids: [] } };
const MiB = 1 << 20;

function isWriteFailure(err: unknown): boolean {
  const s = statusOf(err);
  return s === NfsStat3.NOSPC || s === NfsStat3.IO;
}

describe('local backend: failed writeback', { skip: isRoot() ? false : 'needs root (mount)' }, () => {
  let s: Scratch;
  let mnt: string;
  let b: LocalBackend | undefined;

  beforeEach(() => {
    s = new Scratch();
    const store = s.tmpfs('store');
    s.run('mount', '-o', 'remount,size=6m', store);
    const img = `${store}/disk.img`;
    s.run('truncate', '-s', '64M', img);
    s.run('mkfs.ext4', '-q', '-F', '-O', '^has_journal', img);
    mnt = `${s.dir}/mnt`;
    s.mountImage(img, mnt);
  });

  afterEach(async () => {
    await b?.close().catch(() => {});
    b = undefined;
    s.cleanup();
  });

  /** Writes more UNSTABLE data than the backing store can take; returns the handle and the verifier given. */
  async function overfill(backend: LocalBackend): Promise<{ fh: Buffer; verifier: Buffer }> {
    const root = await backend.root(ROOT);
    const fh = (await backend.create(root, Buffer.from('big'), { mode: CreateMode.GUARDED, attrs: { mode: 0o644 } }, ROOT)).handle;
    let verifier: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 12; i++) {
      verifier = (await backend.write(fh, BigInt(i * MiB), Buffer.alloc(MiB, i), StableHow.UNSTABLE, ROOT)).verifier;
    }
    return { fh, verifier };
  }

  it('a failed COMMIT reports the error and changes the write verifier', async () => {
    b = await createLocalBackend({ path: mnt });
    const { fh, verifier } = await overfill(b);
    await assert.rejects(b.commit(fh, 0n, 0, ROOT), (err) => isWriteFailure(err));
    const next = await b.write(fh, 0n, Buffer.from('x'), StableHow.UNSTABLE, ROOT);
    assert.ok(!next.verifier.equals(verifier), 'clients must see a new verifier and resend');
  });

  it('a failed fsync at idle close is reported on the next WRITE, once, under a new verifier', async () => {
    b = await createLocalBackend({ path: mnt, idleMs: 100 });
    const { fh, verifier } = await overfill(b);
    for (let waited = 0; b.holds().openDescriptors > 0; waited += 20) {
      assert.ok(waited < 10_000, 'descriptors were not closed after the idle window');
      await sleep(20);
    }
    assertNothingHeld(mnt, 'after the idle window, even though the fsync failed');
    await assert.rejects(b.write(fh, 0n, Buffer.from('x'), StableHow.UNSTABLE, ROOT), (err) => isWriteFailure(err));
    const next = await b.write(fh, 0n, Buffer.from('x'), StableHow.UNSTABLE, ROOT);
    assert.ok(!next.verifier.equals(verifier), 'clients must see a new verifier and resend');
  });

  it('flush() rejects when a file could not be made durable', async () => {
    b = await createLocalBackend({ path: mnt });
    await overfill(b);
    await assert.rejects(b.flush(), (err) => isWriteFailure(err));
  });
});
