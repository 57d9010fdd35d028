/**
 * Scenario 4: the image is detached under the server (`umount -l` while
 * idle). Writes to old handles and new MNT calls fail cleanly and never
 * create anything on the parent filesystem (the empty mount point stays
 * empty). Mounted back (on another loop device), the old handles work
 * again without a new MNT.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { MountClient, MountError } from '../../src/client/mount.js';
import { NfsClientError, Nfs3Client } from '../../src/client/nfs3.js';
import { MountStat3 } from '../../src/proto/mount/constants.js';
import { CreateMode, NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { HOST, needsRoot, startRig, type Rig } from './rig.js';

async function stale(p: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof NfsClientError, `${what}: ${String(err)}`);
    assert.equal(NfsStat3[err.status], 'STALE', what);
    return true;
  });
}

async function refused(m: MountClient, path: string): Promise<void> {
  await assert.rejects(m.mnt(path), (err: unknown) => {
    assert.ok(err instanceof MountError, String(err));
    assert.equal(MountStat3[err.status], 'NOENT');
    return true;
  });
}

describe('safe removal: storage detached under the server', needsRoot, () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ idleMs: 200 });
  });
  after(() => rig.stop());

  test('nothing is written around the missing disk; old handles work again once it is back', async () => {
    const m = await MountClient.connect({ host: HOST, port: rig.port });
    const nfs = await Nfs3Client.connect({ host: HOST, port: rig.port });
    try {
      const root = (await m.mnt(rig.mnt)).fhandle;
      const dir = Buffer.from((await nfs.mkdir({ where: { dir: root, name: Buffer.from('d') }, attributes: { mode: 0o755 } })).obj!);
      const file = Buffer.from(
        (await nfs.create({ where: { dir, name: Buffer.from('f') }, how: { mode: CreateMode.UNCHECKED, objAttributes: { mode: 0o644 } } })).obj!,
      );
      const before = Buffer.from('written before the unplug');
      await nfs.write({ file, offset: 0n, count: before.length, stable: StableHow.FILE_SYNC, data: before });

      // Idle: wait until nothing is held, then pull the disk.
      const deadline = Date.now() + 10_000;
      while (!(await rig.server!.status()).find((e) => e.path === rig.mnt)!.unmountable) {
        assert.ok(Date.now() < deadline, 'the export never went idle');
        await sleep(50);
      }
      rig.scratch.run('umount', '-l', rig.mnt);
      assert.deepEqual(readdirSync(rig.mnt), [], 'the mount point is the empty directory of the parent filesystem');

      const data = Buffer.from('must not land anywhere');
      await stale(nfs.write({ file, offset: 0n, count: data.length, stable: StableHow.UNSTABLE, data }), 'WRITE to an old handle');
      await stale(
        nfs.create({ where: { dir: root, name: Buffer.from('new') }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } }),
        'CREATE in the old root',
      );
      await stale(nfs.mkdir({ where: { dir, name: Buffer.from('sub') }, attributes: {} }), 'MKDIR in an old directory');
      await refused(m, rig.mnt);
      await refused(m, `${rig.mnt}/d`);
      assert.deepEqual(readdirSync(rig.mnt), [], 'nothing was created on the parent filesystem');
      assert.equal((await rig.server!.status()).find((e) => e.path === rig.mnt)!.state, 'absent');

      // Back, on another loop device: the same handles, no new MNT.
      rig.scratch.occupyLoopDevice();
      rig.scratch.mountImage(rig.img, rig.mnt);
      const read = await nfs.read({ file, offset: 0n, count: 100 });
      assert.equal(read.data.toString(), before.toString());
      const after = Buffer.from('written after the replug');
      await nfs.write({ file, offset: BigInt(before.length), count: after.length, stable: StableHow.FILE_SYNC, data: after });
      await nfs.lookup({ what: { dir: root, name: Buffer.from('d') } });
      assert.equal((await rig.server!.status()).find((e) => e.path === rig.mnt)!.state, 'attached');
      await m.mnt(rig.mnt);
    } finally {
      await m.close();
      await nfs.close();
    }
  });
});
