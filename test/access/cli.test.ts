/** `nfs-node serve --exports FILE`, `nfs-node reload` and SIGHUP, as a user runs them. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmod, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { MountStat3 } from '../../src/proto/mount/constants.js';
import { host, mntStatus } from './hosts.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '..', '..', 'src', 'cli', 'main.cjs');

interface Proc {
  child: ChildProcessWithoutNullStreams;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout: () => string;
  stderr: () => string;
}

function start(args: string[]): Proc {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  const child = spawn(process.execPath, [MAIN, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** Waits until `read()` matches, failing if the process exits first. */
async function until(p: Proc, read: () => string, re: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const m = read().match(re);
    if (m) return m;
    const exited = await Promise.race([p.done, new Promise((resolve) => setTimeout(resolve, 20))]);
    if (exited) assert.fail(`exited early: ${JSON.stringify(exited)}`);
  }
}

describe('nfs-node serve --exports', () => {
  let dir: string;
  let stateDir: string;
  let file: string;
  before(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'nfs-node-exports-dir-')));
    await chmod(dir, 0o777);
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-exports-state-'));
    file = path.join(stateDir, 'exports');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  test('serves the file, reloads on "nfs-node reload" and SIGHUP, keeps the old list on a bad file', async (t) => {
    await writeFile(file, `# test\n${dir} 127.0.0.1(rw,insecure)\n`);
    const p = start(['serve', '--exports', file, '--port', '0', '--portmap', 'off', '--host', '127.0.0.1', '--state-dir', stateDir]);
    t.after(() => void p.child.kill('SIGKILL'));
    const port = Number((await until(p, p.stdout, /port=(\d+),mountport/))[1]);
    assert.match(p.stdout(), new RegExp(`Exporting ${dir} \\(hosts as in ${file}\\)`));
    const one = await host({ port }, '127.0.0.1');
    const two = await host({ port }, '127.0.0.2');
    try {
      assert.equal(await mntStatus(one, dir), MountStat3.OK);
      assert.equal(await mntStatus(two, dir), MountStat3.ACCES);

      await writeFile(file, `${dir} 127.0.0.1(rw,insecure) 127.0.0.2(ro,insecure)\n`);
      const r = await start(['reload', '--state-dir', stateDir]).done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`kept +${dir}`));
      assert.equal(await mntStatus(two, dir), MountStat3.OK, 'the same connection, allowed from its next call');

      await writeFile(file, `${dir} 127.0.0.1(rw,insecure)\n/elsewhere *(rw,bogus)\n`);
      const bad = await start(['reload', '--state-dir', stateDir]).done;
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, new RegExp(`${file}:2:17: unknown option "bogus"`));
      p.child.kill('SIGHUP');
      await until(p, p.stderr, /SIGHUP: .* not reloaded, the exports stay as they were:\n.*:2:17: unknown option "bogus"/);
      assert.equal(await mntStatus(two, dir), MountStat3.OK, 'still the old list');

      await writeFile(file, `${dir} 127.0.0.1(rw,insecure)\n`);
      p.child.kill('SIGHUP');
      await until(p, p.stderr, /SIGHUP: \S+ reloaded/);
      assert.equal(await mntStatus(two, dir), MountStat3.ACCES);
      assert.equal(await mntStatus(one, dir), MountStat3.OK);
    } finally {
      await one.close();
      await two.close();
    }
    p.child.kill('SIGTERM');
    assert.equal((await p.done).code, 0);
  });

  test('usage errors: --exports with directories, with --read-only; a malformed file at start', async () => {
    await writeFile(file, `${dir} *(rw)\n`);
    for (const args of [['serve', '--exports', file, dir], ['serve', '--exports', file, '--read-only']]) {
      const r = await start(args).done;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    await writeFile(file, `${dir} (rw)\n`);
    const r = await start(['serve', '--exports', file, '--port', '0', '--portmap', 'off', '--host', '127.0.0.1', '--state-dir', stateDir]).done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${file}:1:${dir.length + 2}: "\\(rw\\)": an option list after a space applies to every host`));
  });

  test('reload without a server says so', async () => {
    const r = await start(['reload', '--state-dir', path.join(stateDir, 'none')]).done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no server is running/);
  });
});
