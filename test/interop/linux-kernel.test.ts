/**
 * The Linux kernel NFS client (in qemu, via ../shared/linux-client/nfs-vm)
 * against the server, through ordinary shell tools in the guest; then what
 * the guest wrote is compared with what sits on the server's disk.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile, mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NFS_VM = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/linux-client/nfs-vm');
const GUEST_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test/interop/linux-guest.sh');
const LARGE_MB = Number(process.env.NFS_LINUX_LARGE_MB ?? 1024);
const BIG_DIR_ENTRIES = 10_000;

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Parses `sha256sum` output into name → digest. */
function parseSums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.*)$/.exec(line.trim());
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

interface VmRun {
  code: number | null;
  output: string;
}

describe('Linux kernel NFS client (qemu)', { skip: existsSync(NFS_VM) ? false : `no ${NFS_VM}` }, () => {
  let srv: TestServer;
  let share: string;
  let run: VmRun;
  const results = (name: string): Promise<string> => readFile(join(share, 'results', name), 'utf8');

  before(async () => {
    srv = await startTestServer({ backend: 'local', exportOptions: { noRootSquash: true } });
    share = await mkdtemp(join(tmpdir(), 'nfs-vm-share-'));
    await mkdir(join(srv.dir, 'big'));
    for (let i = 0; i < BIG_DIR_ENTRIES; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => writeFile(join(srv.dir, 'big', `entry-${i + j}-${'n'.repeat((i + j) % 50)}`), '')),
      );
    }
    const script = join(share, 'guest.sh');
    await writeFile(script, `PORT=${srv.port}\nEXPORT=${srv.exportPath}\nLARGE_MB=${LARGE_MB}\n` + (await readFile(GUEST_SCRIPT, 'utf8')));
    run = await runVm(script, share, srv.dir);
  });

  after(async () => {
    await srv?.stop();
    if (share) await rm(share, { recursive: true, force: true });
  });

  async function runVm(script: string, shareDir: string, serverDir: string): Promise<VmRun> {
    const child = spawn(NFS_VM, ['run', '--script', script, '--share', shareDir, '--timeout', '900'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // The guest asks (through the share) for a file to be removed behind its back.
    const poll = setInterval(() => {
      const ask = join(shareDir, 'delete-victim');
      if (existsSync(ask)) {
        clearInterval(poll);
        void unlink(join(serverDir, 'victim')).then(() => writeFile(join(shareDir, 'victim-deleted'), ''));
      }
    }, 100);
    const code = await new Promise<number | null>((done) => child.on('close', done));
    clearInterval(poll);
    return { code, output };
  }

  test('the guest script ran to the end', () => {
    assert.equal(run.code, 0, run.output);
  });

  test('files written by the client are byte-exact on the server, and re-read the same', async () => {
    const written = parseSums(await results('sums-written.txt'));
    assert.equal(written.size, 5);
    for (const [name, digest] of written) assert.equal(await sha256File(join(srv.dir, name)), digest, name);
    assert.equal(await results('sums-reread.txt'), await results('sums-written.txt'));
    assert.equal(await readFile(join(srv.dir, 'a.txt'), 'utf8'), 'hello\nworld\n');
    assert.equal(await readFile(join(srv.dir, 'b.txt'), 'utf8'), 'second\n');
    assert.equal((await stat(join(srv.dir, 'trunc.bin'))).size, 1000);
    assert.equal((await stat(join(srv.dir, 'grow.bin'))).size, 5_000_000);
  });

  test('deep trees, rm -rf and renames are reflected on the server', async () => {
    const leaf = join(srv.dir, 'deep', ...Array.from({ length: 20 }, (_, i) => String(i + 1)), 'leaf');
    assert.equal(await readFile(leaf, 'utf8'), 'leaf\n');
    assert.equal(existsSync(join(srv.dir, 'gone')), false);
    assert.equal(existsSync(join(srv.dir, 'r-src')), false);
    assert.equal(await readFile(join(srv.dir, 'r-dst'), 'utf8'), 'x\n');
    assert.equal(await readFile(join(srv.dir, 'dirB/f'), 'utf8'), 'replacement\n');
    assert.equal(existsSync(join(srv.dir, 'dirB/g')), false);
    assert.equal(existsSync(join(srv.dir, 'dirA')), false);
    assert.ok((await stat(join(srv.dir, 'dirC'))).isDirectory());
  });

  test('links, chmod, chown and touch -d are reflected on the server', async () => {
    const hard = await stat(join(srv.dir, 'hard'));
    const orig = await stat(join(srv.dir, 'orig'));
    assert.equal(hard.ino, orig.ino);
    assert.equal(hard.nlink, 2);
    assert.equal(hard.mode & 0o7777, 0o640);
    assert.equal(hard.uid, 1234);
    assert.equal(hard.gid, 5678);
    assert.equal(Math.floor(hard.mtimeMs / 1000), Date.UTC(2020, 0, 2, 3, 4, 5) / 1000);
    assert.ok((await lstat(join(srv.dir, 'sym'))).isSymbolicLink());
    assert.equal(await readlink(join(srv.dir, 'sym')), 'dirB/f');
    assert.equal((await results('hard-stat.txt')).trim(), `640 1234 5678 ${Date.UTC(2020, 0, 2, 3, 4, 5) / 1000}`);
  });

  test('a directory of 10,000 entries is listed completely', async () => {
    const listed = (await results('big-list.txt')).split('\n').filter((l) => l !== '');
    const onDisk = (await readdir(join(srv.dir, 'big'))).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.equal(listed.length, BIG_DIR_ENTRIES);
    assert.deepEqual(listed, onDisk);
  });

  test('df reports the export', async () => {
    const df = await results('df.txt');
    assert.match(df, new RegExp(`${srv.exportPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  test('concurrent writers, a large file and a sparse file past 4 GiB are byte-exact', async () => {
    for (const file of ['sums-concurrent.txt', 'sums-large.txt']) {
      for (const [name, digest] of parseSums(await results(file))) {
        assert.equal(await sha256File(join(srv.dir, name)), digest, name);
      }
    }
    assert.equal((await stat(join(srv.dir, 'large'))).size, LARGE_MB * 1024 * 1024);
    assert.equal((await results('sparse-read.txt')).split(/\s/)[0], (await results('sparse-written.txt')).split(/\s/)[0]);
    assert.equal(Number(await results('sparse-size.txt')), 1310721 * 4096);
    assert.equal((await stat(join(srv.dir, 'sparse'))).size, 1310721 * 4096);
  });

  test('a file removed on the server fails cleanly on the client, without a hang', async () => {
    assert.notEqual((await results('victim-rc.txt')).trim(), '0');
    assert.notEqual((await results('victim-rc.txt')).trim(), '143', 'timed out: the client hung');
    assert.match(await results('victim-err.txt'), /No such file|Stale/i);
  });

  test('umount and mount again works', async () => {
    assert.equal((await results('done')).trim(), 'ok');
  });
});
