/**
 * Scenario 3: a client writes in a loop (UNSTABLE, never COMMIT) against a
 * server started with the CLI; `nfs-node eject` runs through the control
 * socket: it exits 0, the storage unmounts at once, the image mounted again
 * elsewhere holds every acknowledged byte, and the client got the documented
 * error (STALE; JUKEBOX with --while-detached hold), not a hang. The export
 * then comes back by itself once its filesystem is mounted again (stale), or
 * with `nfs-node attach` (hold), and the client's old handle works.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MountClient } from '../../src/client/mount.js';
import { NfsClientError, Nfs3Client } from '../../src/client/nfs3.js';
import { CreateMode, NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { HOST, needsRoot, sha256, startRig, type Rig } from './rig.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.cjs');
const execCli = promisify(execFile);

interface Served {
  child: ChildProcessWithoutNullStreams;
  port: number;
  stderr: () => string;
}

/** `nfs-node serve` in a child process; resolves once it printed its port. */
async function serve(rig: Rig, extra: string[]): Promise<Served> {
  const args = ['serve', rig.mnt, rig.other, '--port', '0', '--portmap', 'off', '--host', HOST, '--state-dir', rig.stateDir];
  const child = spawn(process.execPath, [MAIN, ...args, ...extra], { env: { ...process.env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = Date.now() + 20_000;
  let m: RegExpMatchArray | null;
  while (!(m = out.match(/port=(\d+),mountport/))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start: ${err}`);
    await sleep(20);
  }
  return { child, port: Number(m[1]), stderr: () => err };
}

async function cli(rig: Rig, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execCli(process.execPath, [MAIN, ...args, '--state-dir', rig.stateDir]);
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Writer {
  /** Resolves with the error that stopped the loop. */
  done: Promise<unknown>;
  acked: () => Buffer;
  fh: Buffer;
  nfs: Nfs3Client;
}

/** Writes 64 KiB UNSTABLE chunks one after another (and reads each back) until a call fails. */
async function writeLoop(port: number, exportPath: string): Promise<Writer> {
  const m = await MountClient.connect({ host: HOST, port });
  const root = (await m.mnt(exportPath)).fhandle;
  await m.close();
  const nfs = await Nfs3Client.connect({ host: HOST, port, timeoutMs: 15_000 });
  const created = await nfs.create({
    where: { dir: root, name: Buffer.from('stream.bin') },
    how: { mode: CreateMode.UNCHECKED, objAttributes: { mode: 0o666 } },
  });
  const fh = Buffer.from(created.obj!);
  const chunks: Buffer[] = [];
  let offset = 0;
  const done = (async () => {
    for (;;) {
      const data = randomBytes(64 * 1024);
      try {
        const r = await nfs.write({ file: fh, offset: BigInt(offset), count: data.length, stable: StableHow.UNSTABLE, data });
        assert.equal(r.count, data.length);
        chunks.push(data);
        offset += data.length;
        await nfs.read({ file: fh, offset: BigInt(offset - data.length), count: 16 });
      } catch (err) {
        return err;
      }
    }
  })();
  return { done, acked: () => Buffer.concat(chunks), fh, nfs };
}

function statusName(err: unknown): string {
  assert.ok(err instanceof NfsClientError, `the client got an NFS error, not ${String(err)}`);
  return NfsStat3[err.status]!;
}

describe('safe removal: eject while a client writes', needsRoot, () => {
  let rig: Rig;
  let served: Served | undefined;
  afterEach(async () => {
    if (served && served.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await new Promise((r) => served!.child.once('close', r));
    }
    served = undefined;
    await rig.stop();
  });

  test('stale (default): eject exits 0, umount succeeds, acknowledged bytes are all there, client gets STALE; comes back after remount', async () => {
    rig = await startRig({ noServer: true });
    served = await serve(rig, ['--idle-ms', '60000', '--log-level', 'warn']);
    const w = await writeLoop(served.port, rig.mnt);
    while (w.acked().length < 2 * 1024 * 1024) await sleep(10);

    const t0 = performance.now();
    const ej = await cli(rig, 'eject', rig.mnt);
    const ejectMs = performance.now() - t0;
    assert.equal(ej.code, 0, `eject: ${ej.stderr}`);
    assert.match(ej.stdout, /nothing is held/);
    const stopped = await w.done;
    assert.equal(statusName(stopped), 'STALE');
    const acked = w.acked();
    rig.scratch.umount(rig.mnt); // no retry: eject said it can be unmounted
    process.stderr.write(`# scenario 3: eject (CLI, incl. node start-up) ${ejectMs.toFixed(0)} ms; server: ${ej.stdout.trim()}; ${acked.length} bytes acknowledged\n`);

    const again = join(rig.scratch.dir, 'again');
    rig.scratch.mountImage(rig.img, again);
    const onDisk = readFileSync(join(again, 'stream.bin'));
    assert.ok(onDisk.length >= acked.length, `${onDisk.length} bytes on disk, ${acked.length} acknowledged`);
    assert.equal(sha256(onDisk.subarray(0, acked.length)), sha256(acked));
    rig.scratch.umount(again);

    const st = JSON.parse((await cli(rig, 'status', '--json')).stdout) as Array<{ path: string; state: string }>;
    assert.equal(st.find((e) => e.path === rig.mnt)?.state, 'detached');

    // Unmounted and mounted again: the export comes back by itself, and the old handle works.
    rig.scratch.mountImage(rig.img, rig.mnt);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await w.nfs.getattr({ object: w.fh });
        break;
      } catch (err) {
        assert.equal(statusName(err), 'STALE');
        assert.ok(Date.now() < deadline, 'the export never came back');
        await sleep(100);
      }
    }
    await w.nfs.close();
  });

  test('hold: the client gets JUKEBOX while ejected, and its writes go on after attach', async () => {
    rig = await startRig({ noServer: true });
    served = await serve(rig, ['--while-detached', 'hold', '--log-level', 'warn']);
    const w = await writeLoop(served.port, rig.mnt);
    while (w.acked().length < 1024 * 1024) await sleep(10);
    const ej = await cli(rig, 'eject', rig.mnt);
    assert.equal(ej.code, 0, `eject: ${ej.stderr}`);
    assert.equal(statusName(await w.done), 'JUKEBOX');
    const acked = w.acked();
    const at = await cli(rig, 'attach', rig.mnt);
    assert.equal(at.code, 0, `attach: ${at.stderr}`);
    const more = Buffer.from('after the swap');
    await w.nfs.write({ file: w.fh, offset: BigInt(acked.length), count: more.length, stable: StableHow.FILE_SYNC, data: more });
    // The tail: one READ is at most 1 MiB.
    const from = acked.length - 64 * 1024;
    const back = await w.nfs.read({ file: w.fh, offset: BigInt(from), count: 64 * 1024 + more.length });
    assert.equal(sha256(back.data), sha256(Buffer.concat([acked.subarray(from), more])));
    await w.nfs.close();
  });
});
