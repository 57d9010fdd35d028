#!/usr/bin/env node
/**
 * `npm run bench`: our server and NFS-Ganesha side by side on 127.0.0.1,
 * measured by the shared run-pair harness, then CPU profiles of our server
 * on the workloads where it is furthest behind; results in BENCHMARKS.md.
 *
 * Needs root (loop mounts, ganesha, apt). Everything it starts or mounts is
 * undone on exit, on error and on SIGINT/SIGTERM/SIGHUP.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summarizeProfile } from './cpuprofile.js';
import { measureManyClients, type LayoutResult } from './many-clients.js';
import { PeakRss, processCpu, threadCpu, threadCpuDelta } from './proc.js';
import { extractAnalysis, renderReport, type BenchReport, type PairRow, type ProfileRun } from './report.js';

const HELP = `Usage: npm run bench -- [options] [-- extra nfsbench options]

  --rounds N         run-pair rounds (default 3)
  --workloads LIST   run-pair workloads (default all: seqwrite,seqread,randread4k,getattr,lookup,create,readdir)
  --fs loop|dir      export type: two fresh ext4 loop images (default), or two directories
                     on the filesystem of --work-dir
  --image-mib N      size of each ext4 image (default 2048; sparse)
  --work-dir DIR     where images, mount points, state and raw results go (default /tmp)
  --port N           our server's NFS+MOUNT port (default 24049)
  --ganesha-port N   ganesha's NFS port; MOUNT is N-1 (default 22049)
  --profile N        profile our server on the N workloads furthest behind (default 3; 0: none)
  --many-seconds N   seconds per layout of the many-clients run against each server (default 5; 0: none)
  --out FILE         report (default BENCHMARKS.md in the repository)
  --keep             keep raw run-pair output and profiles (printed path)`;

const ALL_WORKLOADS = 'seqwrite,seqread,randread4k,getattr,lookup,create,readdir';
const APT_PACKAGES = ['libnfs-dev', 'libnfs-utils', 'nfs-ganesha', 'nfs-ganesha-vfs', 'rpcbind'];
const SHARED_BENCH = '/work/shared/bench';

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above bench/run.js');
    dir = up;
  }
  return dir;
}

const REPO = repoRoot();

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
}

function tryText(cmd: string, args: string[]): string | undefined {
  try {
    return sh(cmd, args).trim();
  } catch {
    return undefined;
  }
}

function hasCommand(cmd: string): boolean {
  return tryText('sh', ['-c', `command -v ${cmd}`]) !== undefined;
}

function ensurePackages(): void {
  const missing = APT_PACKAGES.filter((p) => tryText('dpkg-query', ['-W', '-f', '${Status}', p])?.includes('install ok installed') !== true);
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')}`);
  execFileSync('apt-get', ['install', '-y', ...missing], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The binary run-pair will use (it builds this one itself when missing). */
function nfsbenchPath(): string {
  const shipped = path.join(SHARED_BENCH, 'nfsbench');
  try {
    accessSync(shipped, constants.X_OK);
    return shipped;
  } catch {
    return path.join(process.env.NFSBENCH_OUT ?? '/tmp/nfsbench-build', 'nfsbench');
  }
}

function portInUse(port: number): boolean {
  return (tryText('ss', ['-Htln', `sport = :${port}`]) ?? '') !== '';
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Cleanup actions, run last-registered first, each at most once, also on signals. */
class Cleanup {
  private readonly actions: { name: string; fn: () => Promise<void> | void }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, fn: () => Promise<void> | void): void {
    this.actions.push({ name, fn });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const a of this.actions.reverse()) {
        try {
          await a.fn();
        } catch (err) {
          log(`cleanup: ${a.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      this.actions.length = 0;
    })();
    return this.running;
  }
}

interface Options {
  rounds: number;
  workloads: string;
  fs: 'loop' | 'dir';
  imageMiB: number;
  workDir: string;
  port: number;
  ganeshaPort: number;
  profile: number;
  manySeconds: number;
  out: string;
  keep: boolean;
  extra: string[];
}

function positiveInt(v: string | undefined, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: "${v}" is not an integer >= ${min}`);
  return n;
}

function options(argv: string[]): Options | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rounds: { type: 'string' },
      workloads: { type: 'string' },
      fs: { type: 'string' },
      'image-mib': { type: 'string' },
      'work-dir': { type: 'string' },
      port: { type: 'string' },
      'ganesha-port': { type: 'string' },
      profile: { type: 'string' },
      'many-seconds': { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return undefined;
  }
  const fs = values.fs ?? 'loop';
  if (fs !== 'loop' && fs !== 'dir') throw new Error(`--fs: "${fs}" is not loop or dir`);
  const workloads = values.workloads ?? ALL_WORKLOADS;
  if (!/^[a-z0-9]+(,[a-z0-9]+)*$/.test(workloads)) throw new Error(`--workloads: bad list "${workloads}"`);
  return {
    rounds: positiveInt(values.rounds, 'rounds', 3),
    workloads,
    fs,
    imageMiB: positiveInt(values['image-mib'], 'image-mib', 2048, 64),
    workDir: values['work-dir'] ?? '/tmp',
    port: positiveInt(values.port, 'port', 24049),
    ganeshaPort: positiveInt(values['ganesha-port'], 'ganesha-port', 22049, 2),
    profile: positiveInt(values.profile, 'profile', 3, 0),
    manySeconds: positiveInt(values['many-seconds'], 'many-seconds', 5, 0),
    out: path.resolve(REPO, values.out ?? 'BENCHMARKS.md'),
    keep: values.keep === true,
    extra: positionals,
  };
}

/** Two export directories of the same type; registers their removal. */
function makeExports(o: Options, base: string, cleanup: Cleanup): { ours: string; ganesha: string; type: string } {
  const dirs = { ours: path.join(base, 'ours'), ganesha: path.join(base, 'ganesha') };
  let type: string;
  if (o.fs === 'loop') {
    for (const d of Object.values(dirs)) {
      const image = `${d}.ext4`;
      closeSync(openSync(image, 'w'));
      execFileSync('truncate', ['-s', `${o.imageMiB}M`, image]);
      // Eager inode-table and journal init: no background ext4lazyinit writes during the measurement.
      sh('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image]);
      mkdirSync(d);
      sh('mount', ['-o', 'loop', image, d]);
      cleanup.add(`umount ${d}`, () => unmount(d));
    }
    type = `two fresh ${o.imageMiB} MiB ext4 images on loop devices (mkfs.ext4 defaults, mounted with defaults), under ${base}`;
  } else {
    for (const d of Object.values(dirs)) mkdirSync(d);
    const fsType = tryText('stat', ['-f', '-c', '%T', base]) ?? 'unknown';
    type = `two directories on the same ${fsType} filesystem (${base})`;
  }
  return { ...dirs, type };
}

async function unmount(dir: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    try {
      sh('umount', [dir]);
      return;
    } catch (err) {
      if (i === 9) throw new Error(`umount ${dir} failed (still busy?): ${(err as Error).message.trim()}`);
      await sleep(500);
    }
  }
}

interface OurServer {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** The node options on the command's own #! line (src/cli/main.cts), which `node main.cjs` would bypass. */
const OUR_NODE_ARGS = shebangNodeArgs(path.join(REPO, 'dist/src/cli/main.cjs'));

function shebangNodeArgs(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\/usr\/bin\/env -S node(?<args>( \S+)*)$/.exec(first);
  if (!m) throw new Error(`${file}: unexpected #! line "${first}"`);
  return m.groups!['args']!.split(' ').filter((a) => a !== '');
}

async function startOurs(o: Options, exportDir: string, stateDir: string, logFile: string, profileDir?: string): Promise<OurServer> {
  if (portInUse(o.port)) throw new Error(`port ${o.port} is already in use (a server left from an earlier run?)`);
  const nodeArgs = [...OUR_NODE_ARGS, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  const args = [
    ...nodeArgs,
    path.join(REPO, 'dist/src/cli/main.cjs'),
    'serve',
    exportDir,
    '--port',
    String(o.port),
    '--portmap',
    'off',
    '--host',
    '127.0.0.1',
    '--state-dir',
    stateDir,
    '--log-level',
    'warn',
    // As ganesha-up's Squash = No_Root_Squash: the benchmark client (root) acts as root on both servers.
    '--no-root-squash',
  ];
  const out = openSync(logFile, 'a');
  // Own process group: a Ctrl-C reaches only us, and we stop the server in order.
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start our server');
  const server: OurServer = {
    child,
    pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited(child).then(() => true), sleep(30_000).then(() => false)]);
      if (!done) {
        log(`our server (pid ${pid}) did not stop within 30 s of SIGTERM: SIGKILL`);
        child.kill('SIGKILL');
        await exited(child);
      }
    },
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`our server exited with ${child.exitCode}; see ${logFile}`);
    if (await canConnect(o.port)) return server;
    await sleep(100);
  }
  await server.stop();
  throw new Error(`our server did not listen on ${o.port} within 10 s; see ${logFile}`);
}

const GANESHA_STATE = process.env.NFSBENCH_STATE ?? '/tmp/nfsbench-ganesha';

/**
 * Ganesha exits unless it can register with rpcbind. ganesha-up would start
 * `rpcbind -h 127.0.0.1`, but Debian 12's rpcbind 1.2.6 aborts with a double
 * free in freeaddrinfo whenever -h is given, so we start one without -h (its
 * TCP listener is on every address either way; -h only restricts UDP).
 * Returns a note for the report, or undefined when one was already running.
 */
async function ensureRpcbind(cleanup: Cleanup): Promise<string | undefined> {
  if (tryText('rpcinfo', ['-p', '127.0.0.1']) !== undefined) return undefined;
  const child = spawn('rpcbind', ['-f', '-w'], { detached: true, stdio: 'ignore' });
  cleanup.add('stop rpcbind', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited(child);
  });
  for (let i = 0; i < 50; i++) {
    if (tryText('rpcinfo', ['-p', '127.0.0.1']) !== undefined) {
      return 'rpcbind (needed only by ganesha to start) was started without -h, since Debian 12\'s rpcbind 1.2.6 aborts ' +
        '(double free) with -h; it listens on port 111 of every address while the benchmark runs.';
    }
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error('rpcbind did not come up');
}

function startGanesha(o: Options, exportDir: string, cleanup: Cleanup): { pid: number; version: string } {
  const env = { ...process.env, GANESHA_DBUS: '0', NFSBENCH_STATE: GANESHA_STATE };
  cleanup.add('ganesha-down', () => {
    sh(path.join(SHARED_BENCH, 'ganesha-down'), [String(o.ganeshaPort)], { env });
  });
  const out = sh(path.join(SHARED_BENCH, 'ganesha-up'), [exportDir, String(o.ganeshaPort)], { env });
  const pid = Number(readFileSync(path.join(GANESHA_STATE, String(o.ganeshaPort), 'ganesha.ours.pid'), 'utf8').trim());
  const comm = tryText('cat', [`/proc/${pid}/comm`]);
  if (!comm?.startsWith('ganesha')) throw new Error(`ganesha pid ${pid} is "${comm ?? 'gone'}", not ganesha.nfsd:\n${out}`);
  const version = /\(([^)]*)\)\s*$/m.exec(out.split('\n').find((l) => l.includes('started ganesha.nfsd')) ?? '')?.[1] ?? '?';
  return { pid, version };
}

/** Runs a child in its own process group, echoing and capturing stdout; killed with its group on cleanup. */
async function runGroup(cmd: string, args: string[], cleanup: Cleanup): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    stdout += s;
    process.stdout.write(s);
  });
  cleanup.add(`kill ${path.basename(cmd)}`, () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
  const code = await exited(child);
  return { code, stdout };
}

/** run-pair's median table plus every round's value from its results file. */
function parseRunPair(stdout: string, resultsFile: string): PairRow[] {
  const runs = new Map<string, number[]>();
  if (existsSync(resultsFile)) {
    for (const line of readFileSync(resultsFile, 'utf8').split('\n')) {
      const [side, name, rate] = line.split(' ');
      if (!side || !name || !rate || rate === 'FAIL') continue;
      const key = `${side} ${name}`;
      runs.set(key, [...(runs.get(key) ?? []), Number(rate)]);
    }
  }
  const rows: PairRow[] = [];
  const numOrUndef = (s: string | undefined): number | undefined => (s === undefined || s === '-' ? undefined : Number(s));
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+\d+\/\d+\s*$/.exec(line);
    if (!m || m[1] === 'workload') continue;
    const name = m[1]!;
    rows.push({
      name,
      unit: m[2]!,
      ours: numOrUndef(m[3]),
      ganesha: numOrUndef(m[4]),
      ratio: numOrUndef(m[5]),
      runsOurs: runs.get(`A ${name}`) ?? [],
      runsGanesha: runs.get(`B ${name}`) ?? [],
    });
  }
  return rows;
}

/** The nfsbench workload that produces a result (create also yields remove). */
const workloadOf = (result: string): string => (result === 'remove' ? 'create' : result);

async function profileWorkload(o: Options, workload: string, exportDir: string, base: string, cleanup: Cleanup): Promise<ProfileRun> {
  const profDir = path.join(base, 'profiles', workload);
  mkdirSync(profDir, { recursive: true });
  const server = await startOurs(o, exportDir, path.join(base, 'state'), path.join(base, `ours-profile-${workload}.log`), profDir);
  cleanup.add(`stop profiled server ${server.pid}`, () => server.stop());
  const before = threadCpu(server.pid);
  const t0 = performance.now();
  const args = ['--server', '127.0.0.1', '--nfsport', String(o.port), '--mountport', String(o.port), '--export', exportDir, '--workload', workload, ...o.extra];
  let results: string[];
  try {
    // nfsbench prints its result lines on stdout without --json.
    results = sh(nfsbenchPath(), args).trim().split('\n');
  } catch (err) {
    results = [`nfsbench failed: ${(err as Error).message.trim().split('\n').pop() ?? ''}`];
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const threads = threadCpuDelta(server.pid, before, threadCpu(server.pid));
  await server.stop();
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  const profileFile = file ? path.join(profDir, file) : undefined;
  return {
    workload,
    results,
    wallSeconds,
    threads,
    summary: profileFile ? summarizeProfile(profileFile, REPO) : undefined,
    profileFile: profileFile && (o.keep ? profileFile : `${path.relative(base, profileFile)} (deleted; --keep to keep)`),
  };
}

function machine(ganeshaVersion: string): string[] {
  const cpus = os.cpus();
  return [
    `Machine: ${os.availableParallelism()} CPUs (nproc; ${cpus[0]?.model.trim() ?? '?'}), ` +
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Linux ${os.release()}`,
    `Software: Node ${process.version}, NFS-Ganesha ${ganeshaVersion} (FSAL VFS), libnfs ${tryText('dpkg-query', ['-W', '-f', '${Version}', 'libnfs-utils']) ?? '?'}`,
  ];
}

/** The same 4 KiB load over 1 and 64 connections, against each server in turn (bench/many-clients.ts). */
async function manyClientsRun(
  o: Options,
  exp: { ours: string; ganesha: string },
  pids: { ours: number; ganesha: number },
  notes: string[],
): Promise<BenchReport['manyClients']> {
  if (o.manySeconds === 0) return undefined;
  log('many clients: 1 and 64 connections against each server');
  const run = (port: number, mountPort: number, exportPath: string, serverPid: number): Promise<LayoutResult[]> =>
    measureManyClients({ host: '127.0.0.1', port, mountPort, exportPath, seconds: o.manySeconds, serverPid });
  try {
    return {
      ours: await run(o.port, o.port, exp.ours, pids.ours),
      ganesha: await run(o.ganeshaPort, o.ganeshaPort - 1, exp.ganesha, pids.ganesha),
    };
  } catch (err) {
    notes.push(`The many-clients run failed: ${err instanceof Error ? err.message : String(err)}.`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  if (!o) return 0;
  if (process.getuid?.() !== 0) throw new Error('needs root (loop mounts, ganesha, apt-get)');
  ensurePackages();
  for (const cmd of ['ganesha.nfsd', 'rpcbind', 'ss', 'make', 'cc']) {
    if (!hasCommand(cmd)) throw new Error(`${cmd} not found`);
  }
  if (portInUse(o.ganeshaPort) || portInUse(o.ganeshaPort - 1)) throw new Error(`ganesha port ${o.ganeshaPort} or ${o.ganeshaPort - 1} is in use`);

  const cleanup = new Cleanup();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: cleaning up`);
    void cleanup.run().then(() => process.exit(128 + (os.constants.signals[sig] ?? 0)));
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  // Children die with the interruption; a report from their partial output must not replace a real one.
  const stopIfInterrupted = (): void => {
    if (interrupted) throw new Error('interrupted: no report written');
  };

  mkdirSync(o.workDir, { recursive: true });
  const base = mkdtempSync(path.join(o.workDir, 'nfs-node-bench-'));
  // Registered first, so it runs last: after every unmount.
  cleanup.add('remove work dir', () => {
    const mounted = readFileSync('/proc/self/mounts', 'utf8').includes(` ${base}/`);
    if (mounted) return log(`not removing ${base}: something is still mounted under it`);
    if (!o.keep) return rmSync(base, { recursive: true, force: true });
    for (const f of readdirSync(base).filter((n) => n.endsWith('.ext4'))) rmSync(path.join(base, f));
    log(`kept ${base} (raw run-pair output, logs, profiles; images removed)`);
  });
  try {
    const exp = makeExports(o, base, cleanup);
    log(`exports: ${exp.type}`);
    const stateDir = path.join(base, 'state');
    mkdirSync(stateDir);

    const ours = await startOurs(o, exp.ours, stateDir, path.join(base, 'ours.log'));
    cleanup.add('stop our server', () => ours.stop());
    const rpcbindNote = await ensureRpcbind(cleanup);
    const ganesha = startGanesha(o, exp.ganesha, cleanup);
    log(`our server pid ${ours.pid} on ${o.port}; ganesha pid ${ganesha.pid} on ${o.ganeshaPort}/${o.ganeshaPort - 1}`);

    const rss = new PeakRss();
    rss.watch('ours', ours.pid);
    rss.watch('ganesha', ganesha.pid);
    const cpu0 = { ours: processCpu(ours.pid), ganesha: processCpu(ganesha.pid) };
    const rawDir = path.join(base, 'run-pair');
    const runPairArgs = [
      '-r', String(o.rounds), '-w', o.workloads, '-a', 'ours', '-b', 'ganesha', '-o', rawDir,
      `127.0.0.1:${o.port}:${o.port}:${exp.ours}`,
      `127.0.0.1:${o.ganeshaPort}:${o.ganeshaPort - 1}:${exp.ganesha}`,
      ...(o.extra.length > 0 ? ['--', ...o.extra] : []),
    ];
    const runPair = path.join(SHARED_BENCH, 'run-pair');
    const pair = await runGroup(runPair, runPairArgs, cleanup);
    stopIfInterrupted();
    rss.stop();
    const cpuUsed = (name: 'ours' | 'ganesha', pid: number): number | undefined => {
      const a = cpu0[name];
      const b = processCpu(pid);
      return a === undefined || b === undefined ? undefined : b - a;
    };
    const cpuSeconds = { ours: cpuUsed('ours', ours.pid), ganesha: cpuUsed('ganesha', ganesha.pid) };
    const ourThreads = threadCpu(ours.pid).size;
    const rows = parseRunPair(pair.stdout, path.join(rawDir, 'results.txt'));
    const notes: string[] = [
      'Both servers let the client\'s root act as root (ours: --no-root-squash; ganesha-up: Squash = No_Root_Squash). ' +
        'Every call on ours still runs under the caller\'s identity (setfsuid/setfsgid/setgroups per job), as on ganesha.',
      `Our server: \`node ${OUR_NODE_ARGS.join(' ')} dist/src/cli/main.cjs serve EXPORT --port ${o.port} --portmap off --host 127.0.0.1 --state-dir STATE --log-level warn --no-root-squash\` ` +
        `with UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 'unset'} in its environment; it had ${ourThreads} threads ` +
        'at the end of the run. Ganesha: `ganesha-up EXPORT ' + `${o.ganeshaPort}` + '` with GANESHA_DBUS=0.',
    ];
    if (rpcbindNote) notes.push(rpcbindNote);
    if (pair.code !== 0) notes.push(`run-pair exited with ${pair.code}: some runs failed${o.keep ? ` (raw output in ${rawDir})` : ''}.`);
    if (ours.child.exitCode !== null) notes.push(`Our server exited during the run (code ${ours.child.exitCode}).`);

    const manyClients = await manyClientsRun(o, exp, { ours: ours.pid, ganesha: ganesha.pid }, notes);
    stopIfInterrupted();

    await ours.stop();
    sh(path.join(SHARED_BENCH, 'ganesha-down'), [String(o.ganeshaPort)], { env: { ...process.env, NFSBENCH_STATE: GANESHA_STATE } });

    const behind = [...new Set(rows.filter((r) => r.ratio !== undefined).sort((a, b) => a.ratio! - b.ratio!).map((r) => workloadOf(r.name)))].slice(0, o.profile);
    const profiles: ProfileRun[] = [];
    for (const w of behind) {
      log(`profiling our server on ${w}`);
      profiles.push(await profileWorkload(o, w, exp.ours, base, cleanup));
      stopIfInterrupted();
    }

    const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
    const report: BenchReport = {
      date: new Date().toISOString(),
      machine: machine(ganesha.version),
      command,
      runPairCommand: `${runPair} ${runPairArgs.join(' ')}`,
      exportType: exp.type,
      rows,
      runPairOk: pair.code === 0,
      peakRssKiB: { ours: rss.peak('ours'), ganesha: rss.peak('ganesha') },
      cpuSeconds,
      profiles,
      notes,
      manyClients,
    };
    const previous = existsSync(o.out) ? extractAnalysis(readFileSync(o.out, 'utf8')) : undefined;
    writeFileSync(o.out, renderReport(report, previous));
    log(`wrote ${o.out}`);
    return pair.code === 0 ? 0 : 1;
  } finally {
    await cleanup.run();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
