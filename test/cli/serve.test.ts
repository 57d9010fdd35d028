import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
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
