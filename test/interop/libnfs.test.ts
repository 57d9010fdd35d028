/**
 * Interop with a third-party client: Debian's libnfs-utils (nfs-cp, nfs-cat,
 * nfs-ls), which speak MOUNT v3 and NFS v3 from their own implementation.
 * Ports are passed in the URL, so no portmapper is involved.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const run = promisify(execFile);

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

describe('libnfs-utils against the server (local backend)', () => {
  let srv: TestServer;
  let scratch: string;
  const url = (path: string): string =>
    `nfs://127.0.0.1${srv.exportPath}${path}?version=3&nfsport=${srv.port}&mountport=${srv.port}`;

  before(async () => {
    srv = await startTestServer({ backend: 'local' });
    scratch = await mkdtemp(join(tmpdir(), 'libnfs-scratch-'));
  });

  after(async () => {
    await srv.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('nfs-cp copies a multi-megabyte file in byte-exact', async () => {
    const data = randomBytes(6 * 1024 * 1024 + 123);
    const src = join(scratch, 'in.bin');
    await writeFile(src, data);
    await run('nfs-cp', [src, url('/in.bin')]);
    const onServer = await readFile(join(srv.dir, 'in.bin'));
    assert.equal(onServer.length, data.length);
    assert.equal(sha256(onServer), sha256(data));
  });

  test('nfs-cp copies a multi-megabyte file out byte-exact', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 7);
    await writeFile(join(srv.dir, 'out.bin'), data);
    const dst = join(scratch, 'out.bin');
    await run('nfs-cp', [url('/out.bin'), dst]);
    assert.equal(sha256(await readFile(dst)), sha256(data));
  });

  test('nfs-cat prints a file', async () => {
    await writeFile(join(srv.dir, 'hello.txt'), 'hello over nfs\n');
    const { stdout } = await run('nfs-cat', [url('/hello.txt')]);
    assert.equal(stdout, 'hello over nfs\n');
  });

  test('nfs-ls lists a directory of thousands of entries completely', async () => {
    const dir = join(srv.dir, 'many');
    await mkdir(dir);
    const names = Array.from({ length: 3000 }, (_, i) => `file-${String(i).padStart(5, '0')}-${'x'.repeat(i % 40)}`);
    await Promise.all(names.map((n) => writeFile(join(dir, n), '')));
    const { stdout } = await run('nfs-ls', [url('/many')], { maxBuffer: 64 << 20 });
    const listed = stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/).pop()!)
      .filter((n) => n !== '.' && n !== '..');
    assert.deepEqual([...listed].sort(), [...names].sort());
  });

  test('nfs-ls -R walks nested directories', async () => {
    await mkdir(join(srv.dir, 'tree/a/b'), { recursive: true });
    await writeFile(join(srv.dir, 'tree/a/b/leaf.txt'), 'leaf');
    const { stdout } = await run('nfs-ls', ['-R', url('/tree')]);
    assert.match(stdout, /leaf\.txt/);
  });
});
