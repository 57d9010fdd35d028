import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { authSys } from '../../src/client/auth.js';
import { NfsFs } from '../../src/client/fs.js';
import { connectTransport, ProgramClient } from '../../src/client/program-client.js';
import { packageVersion } from '../../src/cli/cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '..', '..', 'src', 'cli', 'main.cjs');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcessWithoutNullStreams; done: Promise<Run>; stdout: () => string } {
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE;
  const child = spawn(process.execPath, [MAIN, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout };
}

const cli = (args: string[]): Promise<Run> => start(args).done;

describe('nfs-node serve', () => {
  let dir: string;
  let stateDir: string;
  before(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'nfs-node-cli-export-')));
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-cli-state-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  test('prints the mount command, answers NULL, and exits 0 on SIGTERM', async (t) => {
    const p = start(['serve', dir, '--port', '0', '--portmap', 'off', '--host', '127.0.0.1', '--state-dir', stateDir]);
    // A failed assertion must not leave the server running (the test run would never end).
    t.after(() => void p.child.kill('SIGKILL'));
    let mountLine: RegExpMatchArray | null = null;
    while (!(mountLine = p.stdout().match(/mount -t nfs -o vers=3,proto=tcp,port=(\d+),mountport=(\d+)\S* (\S+) \/mnt/))) {
      const exited = await Promise.race([p.done, new Promise((resolve) => setTimeout(resolve, 20))]);
      if (exited) assert.fail(`serve exited early: ${JSON.stringify(exited)}`);
    }
    const port = Number(mountLine[1]);
    assert.equal(mountLine[2], mountLine[1]);
    assert.equal(mountLine[3], `127.0.0.1:${dir}`);
    assert.match(p.stdout(), new RegExp(`nfs://127\\.0\\.0\\.1${dir}\\?version=3&nfsport=${port}&mountport=${port}`));
    for (const [prog, vers] of [
      [100005, 3],
      [100003, 3],
    ] as const) {
      const c = new ProgramClient(await connectTransport({ host: '127.0.0.1', port }), prog, vers);
      await c.null();
      await c.close();
    }
    // The entry sizes libuv's pool before the pool exists (regression: an ES
    // module entry set UV_THREADPOOL_SIZE too late and the server kept 4 threads).
    const threads = (await readdir(`/proc/${p.child.pid}/task`)).length;
    assert.ok(threads >= 16, `the server runs ${threads} threads: the 16-thread pool was not set up`);
    p.child.kill('SIGTERM');
    const run = await p.done;
    assert.equal(run.code, 0, run.stderr);
  });
});

/** Starts `serve` and resolves with its port once it printed the mount command. */
async function serving(args: string[], t: { after(fn: () => void): void }): Promise<number> {
  const p = start(['serve', ...args, '--port', '0', '--portmap', 'off', '--host', '127.0.0.1']);
  t.after(() => void p.child.kill('SIGKILL'));
  let m: RegExpMatchArray | null;
  while (!(m = p.stdout().match(/mount -t nfs -o vers=3,proto=tcp,port=(\d+)/))) {
    const exited = await Promise.race([p.done, new Promise((resolve) => setTimeout(resolve, 20))]);
    if (exited) assert.fail(`serve exited early: ${JSON.stringify(exited)}`);
  }
  return Number(m[1]);
}

describe('nfs-node serve identity options', { skip: process.getuid?.() === 0 ? false : 'needs root' }, () => {
  let dir: string;
  let stateDir: string;
  before(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'nfs-node-cli-squash-')));
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-cli-state-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  for (const [flag, expectOwner] of [
    [[], undefined],
    [['--no-root-squash'], 0],
  ] as const) {
    test(`a client's root ${flag.length ? 'acts as root with' : 'is squashed without'} --no-root-squash`, async (t) => {
      const port = await serving([dir, '--state-dir', stateDir, ...flag], t);
      const fs = await NfsFs.mount({ host: '127.0.0.1', port, mountPort: port, path: dir, auth: authSys({ uid: 0, gid: 0 }) });
      try {
        const name = `/by-root-${flag.length}`;
        if (expectOwner === undefined) {
          await assert.rejects(fs.writeFile(name, Buffer.from('x')), /NFS3ERR_ACCES/);
        } else {
          await fs.writeFile(name, Buffer.from('x'));
          assert.equal((await stat(path.join(dir, name))).uid, expectOwner);
        }
      } finally {
        await fs.unmount();
      }
    });
  }
});

describe('nfs-node arguments', () => {
  const usageErrors: Array<[string, string[], RegExp]> = [
    ['no command', [], /Usage: nfs-node <command>/],
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['serve without a directory', ['serve'], /no directory to export/],
    ['an unknown option', ['serve', '/tmp', '--bogus'], /Unknown option '--bogus'/],
    ['a bad port', ['serve', '/tmp', '--port', '70000'], /--port: "70000" is not a port number/],
    ['a bad portmap port', ['serve', '/tmp', '--portmap', 'on'], /--portmap: "on" is not a port number/],
    ['a bad log level', ['serve', '/tmp', '--log-level', 'loud'], /--log-level/],
    ['a missing directory', ['serve', '/nonexistent/nfs-node-test'], /no such directory/],
    ['an option without its value', ['serve', '/tmp', '--port'], /--port/],
  ];
  for (const [what, args, message] of usageErrors) {
    test(`${what}: usage on stderr, exit 2`, async () => {
      const run = await cli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Usage: nfs-node/);
      assert.equal(run.stdout, '');
    });
  }

  test('--help and serve --help', async () => {
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /serve\s+export directories/);
    const serve = await cli(['serve', '--help']);
    assert.equal(serve.code, 0);
    assert.match(serve.stdout, /Usage: nfs-node serve <dir>\.\.\./);
    assert.match(serve.stdout, /--read-only/);
  });

  test('--version prints the package version', async () => {
    const run = await cli(['--version']);
    assert.equal(run.code, 0);
    assert.notEqual(packageVersion(), 'unknown');
    assert.equal(run.stdout, `nfs-node ${packageVersion()}\n`);
  });
});
