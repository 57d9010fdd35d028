/**
 * Safe removal with the Linux kernel client (issue scenarios 1-3 in qemu):
 * after the guest unmounts, the storage unmounts on the server at once; an
 * eject while the guest writes leaves every acknowledged byte on the storage
 * and the guest gets an error, not a hang; a guest that vanishes without
 * unmounting costs only the idle window.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createLocalBackend } from '../../src/backend/local/index.js';
import { PortmapClient } from '../../src/client/portmap.js';
import { MOUNT_PROGRAM, MOUNT_V3 } from '../../src/proto/mount/constants.js';
import { NfsServer } from '../../src/server/nfs-server.js';
import { descriptorsUnder } from '../helpers/fd-tracker.js';
import { isRoot, Scratch } from '../helpers/mounts.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const NFS_VM = resolve(HERE, '../../../../shared/linux-client/nfs-vm');
const GUEST_SCRIPT = resolve(HERE, '../../../test/interop/linux-removal-guest.sh');
const IDLE_MS = 1000;

function sums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64})\s+(\S+)$/.exec(line.trim());
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

const skip = !existsSync(NFS_VM) ? `no ${NFS_VM}` : !isRoot() ? 'needs root for loop mounts' : false;

describe('safe removal with the Linux kernel client (qemu)', { skip }, () => {
  const scratch = new Scratch();
  const images = { a: '', b: '', c: '' };
  const at = { a: '', b: '', c: '' };
  const events: Record<string, string> = {};
  let server: NfsServer;
  let share: string;
  let code: number | null = null;
  let output = '';

  before(async () => {
    for (const k of ['a', 'b', 'c'] as const) {
      images[k] = scratch.ext4Image(`media-${k}`, 64);
      at[k] = join(scratch.dir, `media-${k}`);
      scratch.mountImage(images[k], at[k]);
    }
    server = new NfsServer({
      exports: await Promise.all(
        (['a', 'b', 'c'] as const).map(async (k) => ({
          path: at[k],
          backend: await createLocalBackend({ path: at[k], idleMs: IDLE_MS }),
          options: { noRootSquash: true },
        })),
      ),
      host: '127.0.0.1',
      port: 0,
      // umount.nfs asks the portmapper for mountd before it sends UMNT, even
      // with mountport= given: without one it skips UMNT silently.
      portmap: { port: 111 },
      stateDir: scratch.mkdir('state'),
    });
    await server.start();
    // umount.nfs sends UMNT wherever the portmapper says mountd is: an rpcbind on port 111 that maps MOUNT to
    // another server (ganesha-up starts both) would take every unmount this test is about.
    const pm = await PortmapClient.connect({ host: '127.0.0.1', port: 111 });
    try {
      const mountd = await pm.getport(MOUNT_PROGRAM, MOUNT_V3);
      assert.equal(mountd, server.address().port, `the portmapper on port 111 sends MOUNT to port ${mountd}: stop the other NFS server (and its rpcbind)`);
    } finally {
      await pm.close();
    }
    share = await mkdtemp(join(tmpdir(), 'nfs-vm-removal-'));
    const script = join(share, 'guest.sh');
    const header = `PORT=${server.address().port}\nEXPORT_A=${at.a}\nEXPORT_B=${at.b}\nEXPORT_C=${at.c}\n`;
    await writeFile(script, header + (await readFile(GUEST_SCRIPT, 'utf8')));

    const child = spawn(NFS_VM, ['run', '--script', script, '--share', share, '--timeout', '300'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((done) => child.on('close', done));
    let running = true;
    void exited.then(() => (running = false));
    // The host's side of the conversation: act on the guest's markers.
    while (running) {
      if (!events.a && existsSync(join(share, 'a-unmounted'))) {
        events.a = tryUmount(at.a);
        await writeFile(join(share, 'a-checked'), '');
      }
      if (!events.b && existsSync(join(share, 'b-writing'))) {
        const report = await server.eject(at.b);
        events.bReport = JSON.stringify(report);
        events.b = tryUmount(at.b);
      }
      await sleep(50);
    }
    code = await exited;
    // The guest powered off with /mnt/c mounted: no UMNT will ever come.
    await sleep(IDLE_MS * 2 + 500);
    events.c = tryUmount(at.c);
  });

  function tryUmount(path: string): string {
    try {
      scratch.umount(path);
      return 'ok';
    } catch (err) {
      return `${(err as Error).message} held: ${JSON.stringify(descriptorsUnder(path))}`;
    }
  }

  after(async () => {
    await server?.stop().catch(() => {});
    scratch.cleanup();
    if (share) await rm(share, { recursive: true, force: true });
  });

  async function remounted(k: 'a' | 'b' | 'c'): Promise<string> {
    const again = join(scratch.dir, `again-${k}`);
    scratch.mountImage(images[k], again);
    return again;
  }

  const results = (name: string): Promise<string> => readFile(join(share, 'results', name), 'utf8');

  test('the guest ran every step', () => {
    assert.equal(code, 0, output);
  });

  test('1: after the client unmounts, the storage unmounts at once', async () => {
    assert.equal(events.a, 'ok');
    const dir = await remounted('a');
    for (const [name, digest] of sums(await results('a-sums.txt'))) assert.equal(await sha256(join(dir, name)), digest);
  });

  test('3: eject while the client writes: storage unmounts, acknowledged data is all there, the client got an error', async () => {
    assert.equal(events.b, 'ok', events.bReport);
    const written = sums(await results('b-sums.txt'));
    assert.ok(written.size >= 5, `only ${written.size} files written before the eject`);
    const dir = await remounted('b');
    for (const [name, digest] of written) assert.equal(await sha256(join(dir, name)), digest, name);
    assert.ok(Number(await results('b-count.txt')) < 2000, 'the writer stopped on an error');
    assert.match(await results('b-err.txt'), /Stale|Input\/output error|Remote I\/O/i);
  });

  test('2: a client that vanished without unmounting costs only the idle window', async () => {
    assert.equal(events.c, 'ok');
    const dir = await remounted('c');
    for (const [name, digest] of sums(await results('c-sums.txt'))) assert.equal(await sha256(join(dir, name)), digest);
  });
});
