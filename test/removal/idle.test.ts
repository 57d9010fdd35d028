/**
 * Scenario 2: a client writes and vanishes without UMNT (its socket closed;
 * then libnfs's nfs-cp, which never sends UMNT): the storage can be
 * unmounted after the idle window, with nothing done on the server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MountClient } from '../../src/client/mount.js';
import { Nfs3Client } from '../../src/client/nfs3.js';
import { CreateMode, StableHow } from '../../src/proto/nfs3/constants.js';
import { HOST, needsRoot, startRig, umountWhenFree, type Rig } from './rig.js';

const run = promisify(execFile);
const IDLE_MS = 300;

describe('safe removal: a client that never unmounts costs at most the idle window', needsRoot, () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig({ idleMs: IDLE_MS });
  });
  afterEach(() => rig.stop());

  test('our client writes UNSTABLE, then its connections drop without UMNT', async () => {
    const m = await MountClient.connect({ host: HOST, port: rig.port });
    const root = (await m.mnt(rig.mnt)).fhandle;
    await m.close();
    const nfs = await Nfs3Client.connect({ host: HOST, port: rig.port });
    const created = await nfs.create({
      where: { dir: root, name: Buffer.from('left-open.bin') },
      how: { mode: CreateMode.UNCHECKED, objAttributes: { mode: 0o644 } },
    });
    const fh = Buffer.from(created.obj!);
    const data = randomBytes(256 * 1024);
    await nfs.write({ file: fh, offset: 0n, count: data.length, stable: StableHow.UNSTABLE, data });
    const held = (await rig.server!.status()).find((e) => e.path === rig.mnt)!;
    assert.equal(held.unmountable, false, 'busy while in use');
    assert.ok(held.openDescriptors > 0);
    await nfs.close(); // vanishes: no COMMIT, no UMNT

    const ms = await umountWhenFree(rig.scratch, rig.mnt, IDLE_MS + 10_000);
    process.stderr.write(`# scenario 2 (own client): busy for ${ms.toFixed(0)} ms after the client vanished (idle ${IDLE_MS} ms)\n`);
    const again = join(rig.scratch.dir, 'again');
    rig.scratch.mountImage(rig.img, again);
    const { readFileSync } = await import('node:fs');
    assert.deepEqual(readFileSync(join(again, 'left-open.bin')), data, 'the uncommitted bytes were made durable at release');
  });

  test('nfs-cp (libnfs, never sends UMNT) copies in; umount succeeds after the idle window', async () => {
    const src = join(rig.scratch.dir, 'src.bin');
    writeFileSync(src, randomBytes(2 * 1024 * 1024));
    await run('nfs-cp', [src, `nfs://${HOST}${rig.mnt}/copied.bin?version=3&nfsport=${rig.port}&mountport=${rig.port}`]);
    const ms = await umountWhenFree(rig.scratch, rig.mnt, IDLE_MS + 10_000);
    process.stderr.write(`# scenario 2 (nfs-cp): busy for ${ms.toFixed(0)} ms after nfs-cp exited\n`);
    const other = await rig.mount(rig.other);
    assert.deepEqual(await other.readdir('/'), []);
    await other.unmount();
  });
});
