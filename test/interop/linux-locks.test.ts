/**
 * Locking with the Linux kernel client (issue 7, in qemu): mounted without
 * `nolock`, the guest's lockd and rpc.statd talk NLM and NSM to the server.
 * flock and fcntl locks of two guest processes exclude each other through
 * the server; a blocked lock is granted although the server cannot call the
 * guest back (slirp); a guest that dies holding a lock gets it released when
 * it boots again and its sm-notify reaches the server.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createLocalBackend } from '../../src/backend/local/index.js';
import { MountClient } from '../../src/client/mount.js';
import type { MountBody } from '../../src/proto/mount/common.js';
import type { LocksReport } from '../../src/server/locks/lock-manager.js';
import { NfsServer } from '../../src/server/nfs-server.js';
import { isRoot } from '../helpers/mounts.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const NFS_VM = resolve(HERE, '../../../../shared/linux-client/nfs-vm');
const SOURCES = resolve(HERE, '../../../test/interop');

const skip = !existsSync(NFS_VM) ? `no ${NFS_VM}` : !isRoot() ? 'needs root (qemu, 9p, port 111)' : false;

interface Phase {
  code: number | null;
  output: string;
}

describe('locking with the Linux kernel client (qemu, NLM + NSM)', { skip }, () => {
  let server: NfsServer;
  let exportDir: string;
  let stateDir: string;
  let share: string;
  const phases: Phase[] = [];
  const seen: { whileHeld?: LocksReport; afterCrash?: LocksReport; mountsAfterCrash?: MountBody[]; afterNotify?: LocksReport; mountsAfterNotify?: MountBody[] } = {};

  const dump = async (): Promise<MountBody[]> => {
    const m = await MountClient.connect({ host: '127.0.0.1', port: server.address().port });
    try {
      return await m.dump();
    } finally {
      await m.close();
    }
  };

  /** Runs the guest script for one boot, answering its markers with `onMarker`. */
  async function boot(phase: number, markers: Record<string, () => Promise<void>>): Promise<Phase> {
    const script = join(share, `guest-${phase}.sh`);
    const header = `PORT=${server.address().port}\nEXPORT=${exportDir}\nPHASE=${phase}\n`;
    await writeFile(script, header + (await readFile(join(SOURCES, 'linux-locks-guest.sh'), 'utf8')));
    const child = spawn(NFS_VM, ['run', '--script', script, '--share', share, '--timeout', '240'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const result: Phase = { code: null, output: '' };
    child.stdout.on('data', (d: Buffer) => (result.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (result.output += d.toString()));
    let running = true;
    const exited = new Promise<number | null>((done) => child.on('close', done)).finally(() => (running = false));
    const pending = new Map(Object.entries(markers));
    while (running) {
      for (const [marker, act] of pending) {
        if (existsSync(join(share, marker))) {
          pending.delete(marker);
          await act();
        }
      }
      await sleep(50);
    }
    result.code = await exited;
    return result;
  }

  before(async () => {
    exportDir = await mkdtemp(join(tmpdir(), 'nfs-vm-locks-export-'));
    stateDir = await mkdtemp(join(tmpdir(), 'nfs-vm-locks-state-'));
    share = await mkdtemp(join(tmpdir(), 'nfs-vm-locks-'));
    await chmod(exportDir, 0o777);
    // busybox has no fcntl(2) lock tool: a static one, built here, runs in the guest.
    execFileSync('gcc', ['-static', '-O2', '-o', join(share, 'fcntl-lock'), join(SOURCES, 'fcntl-lock.c')]);
    server = new NfsServer({
      exports: [{ path: exportDir, backend: await createLocalBackend({ path: exportDir }), options: { noRootSquash: true } }],
      host: '127.0.0.1',
      port: 0,
      // The guest's lockd and sm-notify find NLM and NSM through the host's portmapper (10.0.2.2:111).
      portmap: { port: 111 },
      stateDir,
      locks: { name: 'nfs-node-test', peerCalls: { portmapPort: 111, timeoutMs: 2000 } },
    });
    await server.start();

    phases.push(
      await boot(1, {
        holding: async () => {
          seen.whileHeld = server.lockReport();
          await writeFile(join(share, 'host-saw-lock'), '');
        },
      }),
    );
    // The guest is gone without unmounting or unlocking: the server still holds its lock.
    seen.afterCrash = server.lockReport();
    seen.mountsAfterCrash = await dump();
    phases.push(
      await boot(2, {
        notified: async () => {
          seen.afterNotify = server.lockReport();
          seen.mountsAfterNotify = await dump();
          await writeFile(join(share, 'host-saw-release'), '');
        },
      }),
    );
  });

  after(async () => {
    await server?.stop().catch(() => {});
    for (const d of [exportDir, stateDir, share]) if (d) await rm(d, { recursive: true, force: true });
  });

  const results = async (name: string) => readFile(join(share, 'results', name), 'utf8').catch(() => '');

  test('first boot: the guest mounted without nolock and ran every step', () => {
    assert.equal(phases[0]?.code, 0, phases[0]?.output);
  });

  test('flock: an exclusive lock excludes the other process, shared or exclusive, until released', async () => {
    const lines = await results('phase1.txt');
    assert.match(lines, /^flock-exclusive-vs-exclusive: excluded$/m);
    assert.match(lines, /^flock-shared-vs-exclusive: excluded$/m);
    assert.match(lines, /^flock-after-release: free$/m);
  });

  test('fcntl: byte ranges conflict only where they overlap; readers share', async () => {
    const lines = await results('phase1.txt');
    assert.match(lines, /^fcntl-write-overlapping: excluded$/m);
    assert.match(lines, /^fcntl-read-overlapping: excluded$/m);
    assert.match(lines, /^fcntl-write-beyond: free$/m);
    assert.match(lines, /^fcntl-write-adjacent: free$/m);
    assert.match(lines, /^fcntl-read-vs-read: free$/m);
    assert.match(lines, /^fcntl-write-vs-read: excluded$/m);
  });

  test('a blocked lock is granted when the holder lets go, though the server cannot call the guest back', async (t) => {
    assert.match(await results('phase1.txt'), /^blocked-then: locked$/m);
    t.diagnostic(`the blocked lock was granted after ${(await results('blocked-seconds.txt')).trim()} s (the holder kept it 2 s)`);
  });

  test('the lock of the running guest is held by its host name, and stays held after it dies', () => {
    const mine = (r: LocksReport | undefined) => (r?.held ?? []).filter((l) => l.host === 'nfsvm');
    assert.equal(mine(seen.whileHeld).length, 1, JSON.stringify(seen.whileHeld));
    assert.equal(mine(seen.afterCrash).length, 1, JSON.stringify(seen.afterCrash));
    assert.ok(seen.mountsAfterCrash?.some((m) => m.directory === exportDir), JSON.stringify(seen.mountsAfterCrash));
  });

  test('second boot: sm-notify reaches the server, which drops the dead guest\'s lock and mount entry', () => {
    assert.equal(phases[1]?.code, 0, phases[1]?.output);
    assert.deepEqual(seen.afterNotify?.held, [], JSON.stringify(seen.afterNotify));
    assert.deepEqual(seen.mountsAfterNotify, []);
  });

  test('second boot: the new guest takes the lock at once', async () => {
    assert.match(await results('phase2.txt'), /^after-reboot-lock-taken: free$/m);
  });
});
