/**
 * Scenario 1: a client mounts, writes and reads, and unmounts (UMNT): the
 * admin's umount of the storage succeeds at once, with a long idle window so
 * that only UMNT can have released it, and the other export keeps serving.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { HOST, needsRoot, sha256, startRig, type Rig } from './rig.js';

describe('safe removal: UMNT releases the storage', needsRoot, () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ idleMs: 600_000 });
  });
  after(() => rig.stop());

  test('umount of the image succeeds right after the client unmounts; the other export keeps serving', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const fs = await rig.mount(rig.mnt);
    await fs.mkdir('/dir');
    await fs.writeFile('/dir/file.bin', data);
    assert.equal(sha256(await fs.readFile('/dir/file.bin')), sha256(data));
    assert.equal((await fs.readdir('/dir')).map((e) => e.name).filter((n) => n === 'file.bin').length, 1);
    const status = (await rig.server!.status()).find((e) => e.path === rig.mnt)!;
    assert.equal(status.clients.length, 1);
    assert.equal(status.clients[0]!.host, HOST);

    await fs.unmount();
    const t0 = performance.now();
    rig.scratch.umount(rig.mnt); // no retry: it must not be busy
    const ms = performance.now() - t0;
    process.stderr.write(`# scenario 1: UMNT reply to umount success: ${ms.toFixed(1)} ms\n`);

    // The data went to the image: mount it elsewhere and look.
    const again = join(rig.scratch.dir, 'again');
    rig.scratch.mountImage(rig.img, again);
    assert.equal(sha256(readFileSync(join(again, 'dir/file.bin'))), sha256(data));

    const other = await rig.mount(rig.other);
    await other.writeFile('/still-here.txt', 'served');
    assert.equal((await other.readFile('/still-here.txt')).toString(), 'served');
    await other.unmount();
    const s = (await rig.server!.status()).find((e) => e.path === rig.mnt)!;
    assert.equal(s.state, 'absent');
  });
});
