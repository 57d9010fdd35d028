/**
 * `nfs-node serve <dir>...`: exports local directories, each under its own
 * absolute real path, to everyone (exports(5): `dir *(rw,insecure,root_squash)`),
 * until SIGTERM or SIGINT. `nfs-node serve --exports FILE`: what an exports(5)
 * file says, read again on SIGHUP and `nfs-node reload`.
 */
import { realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import { createLocalBackend } from '../backend/local/index.js';
import type { WhileDetached } from '../server/exports.js';
import { createLogger, type LogLevel } from '../server/log.js';
import { NfsServer, type AdminOptions, type ExportSpec, type ReloadSpec, type ServerAddress } from '../server/nfs-server.js';
import { exportsFromFile } from './exports-source.js';
import { describeReload } from './reload.js';
import { EXIT_FAILURE, EXIT_OK, parsePort, UsageError, type CliIo, type Command, type Parsed } from './command.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
/** Next to the unprivileged NFS port, on loopback: a fixed place to point a browser or Prometheus at. */
export const DEFAULT_ADMIN_PORT = 20491;

const HELP = `Usage: nfs-node serve <dir>... [options]
       nfs-node serve --exports FILE [options]

Exports each directory over NFSv3 under its absolute real path
(serve /srv/media is mounted as HOST:/srv/media), to every host and from
any source port; or the exports of an exports(5) file (see README.md,
"Exports file"), read again on SIGHUP and by "nfs-node reload".

Options:
  --exports FILE           serve what FILE says, per host (instead of directories,
                           --read-only and --no-root-squash)
  --port N                 MOUNT and NFS port, TCP and UDP (default 2049 as root, else 20490; 0: any free port)
  --portmap PORT|off       serve a portmapper on PORT, or register with the system's if it owns PORT
                           (default 111 as root, else off)
  --state-dir DIR          handle key and mount list (default /var/lib/nfs-node as root,
                           else $XDG_STATE_HOME/nfs-node)
  --host ADDR              address to listen on (default: all, IPv4 and IPv6)
  --read-only              export read-only
  --no-root-squash         let a client's root act as root (default: root is mapped to nobody,
                           as knfsd's root_squash)
  --idle-ms N              close descriptors unused for N ms (default 2000): an export nobody
                           uses holds nothing on its storage after this long
  --grace-ms N             after a restart that lost clients' locks, grant only their reclaims for
                           N ms (default 15000; no grace period when no client held locks)
  --while-detached MODE    what clients get from an ejected export: stale (NFS3ERR_STALE, default)
                           or hold (NFS3ERR_JUKEBOX: clients retry until it is attached again)
  --admin [ADDR:]PORT|off  the admin page, its API and Prometheus /metrics over HTTP (default
                           127.0.0.1:${DEFAULT_ADMIN_PORT}, skipped with a warning if that port is taken).
                           Beyond loopback it needs a token: --admin-token, else the one
                           in <state dir>/admin-token (created on first start)
  --admin-token TOKEN      the token admin requests must carry (Authorization: Bearer TOKEN)
  --log-level LEVEL        debug (traces every call), info, warn or error (default info)
  --log-json               log JSON lines
  -h, --help               this help`;

interface ServeConfig {
  dirs: string[];
  exportsFile: string | undefined;
  port: number | undefined;
  portmap: { port: number } | false | undefined;
  stateDir: string | undefined;
  host: string | undefined;
  readOnly: boolean;
  noRootSquash: boolean;
  idleMs: number | undefined;
  graceMs: number | undefined;
  whileDetached: WhileDetached;
  logLevel: LogLevel;
  logJson: boolean;
  admin: AdminOptions | undefined;
}

/** --admin: "off", "PORT" (on loopback), "ADDR:PORT" or "[V6ADDR]:PORT". */
function adminOption(value: string | undefined, token: string | undefined): AdminOptions | undefined {
  if (value === 'off') return undefined;
  if (value === undefined) return { host: '127.0.0.1', port: DEFAULT_ADMIN_PORT, optional: true, ...(token && { token }) };
  const m = /^(?:\[([^\]]+)\]:|([^:]+):)?([^:]+)$/.exec(value);
  if (!m) throw new UsageError(`--admin: "${value}" is not PORT, ADDR:PORT or off`);
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port: parsePort(m[3]!, 'admin'), ...(token && { token }) };
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function milliseconds(values: Parsed['values'], flag: string): number | undefined {
  const v = str(values[flag]);
  if (v !== undefined && !/^\d{1,9}$/.test(v)) throw new UsageError(`--${flag}: "${v}" is not a number of milliseconds`);
  return v === undefined ? undefined : Number(v);
}

function config({ values, positionals }: Parsed): ServeConfig {
  const exportsFile = str(values.exports);
  if (exportsFile !== undefined) {
    if (positionals.length > 0) throw new UsageError('--exports FILE or directories, not both');
    for (const flag of ['read-only', 'no-root-squash']) {
      if (values[flag]) throw new UsageError(`--${flag} does not go with --exports: the file says it per host (ro, no_root_squash)`);
    }
  } else if (positionals.length === 0) throw new UsageError('no directory to export');
  const port = str(values.port);
  const portmap = str(values.portmap);
  const idleMs = milliseconds(values, 'idle-ms');
  const graceMs = milliseconds(values, 'grace-ms');
  const whileDetached = str(values['while-detached']) ?? 'stale';
  if (whileDetached !== 'stale' && whileDetached !== 'hold') {
    throw new UsageError(`--while-detached: "${whileDetached}" is not stale or hold`);
  }
  const logLevel = str(values['log-level']) ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level: "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    dirs: positionals,
    exportsFile,
    port: port === undefined ? undefined : parsePort(port, 'port'),
    portmap: portmap === undefined ? undefined : portmap === 'off' ? false : { port: parsePort(portmap, 'portmap') },
    stateDir: str(values['state-dir']),
    host: str(values.host),
    readOnly: values['read-only'] === true,
    noRootSquash: values['no-root-squash'] === true,
    idleMs,
    graceMs,
    whileDetached,
    logLevel: logLevel as LogLevel,
    logJson: values['log-json'] === true,
    admin: adminOption(str(values.admin), str(values['admin-token'])),
  };
}

/** Each directory's real path; a missing one or a file is a usage error, as is the same directory twice. */
async function exportPaths(dirs: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const dir of dirs) {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      throw new UsageError(`${dir}: no such directory`);
    }
    if (!(await stat(real)).isDirectory()) throw new UsageError(`${dir}: not a directory`);
    if (paths.includes(real)) throw new UsageError(`${dir}: exported twice (as ${real})`);
    paths.push(real);
  }
  return paths;
}

/** Quoted for a POSIX shell when it needs to be. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The host name a client would use: ours when listening on every address. */
function displayHost(bound: string): string {
  if (bound === '::' || bound === '0.0.0.0') return os.hostname();
  return bound.includes(':') ? `[${bound}]` : bound;
}

function banner(paths: string[], addr: ServerAddress, access: string): string[] {
  const host = displayHost(addr.host);
  const transports = addr.udp ? 'TCP and UDP' : 'TCP';
  const portmap = !addr.portmap
    ? 'portmapper off'
    : addr.portmap.kind === 'builtin'
      ? `portmapper on port ${addr.portmap.port}`
      : `registered with the system portmapper on port ${addr.portmap.port}`;
  const lines = [`NFSv3, MOUNT, NLM and NSM on port ${addr.port} (${transports}), ${portmap}`];
  // A client's lock manager finds ours only through a portmapper: without one, locks stay local to each client.
  const opts = `vers=3,proto=tcp,port=${addr.port},mountport=${addr.port}${addr.portmap ? '' : ',nolock'}`;
  for (const p of paths) {
    lines.push(
      '',
      `Exporting ${p} (${access})`,
      `  mount -t nfs -o ${opts} ${shellWord(`${host}:${p}`)} /mnt`,
      `  nfs://${host}${encodeURI(p)}?version=3&nfsport=${addr.port}&mountport=${addr.port}`,
    );
  }
  return lines;
}

/** Resolves with the exit code once a signal has stopped the server; a second signal exits at once. */
function untilSignalled(server: NfsServer, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        io.err(`${signal} again: exiting without waiting`);
        process.exit(128 + (os.constants.signals[signal] ?? 0));
      }
      stopping = true;
      io.err(`${signal}: shutting down (flushing and saving state; again to exit at once)`);
      server.stop().then(
        () => resolve(EXIT_OK),
        (err: unknown) => {
          io.err(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
          resolve(EXIT_FAILURE);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/**
 * SIGHUP reloads the exports file, as for rpc.mountd users' habit; said so
 * without one (the default action would end the server).
 */
function reloadOnHangup(server: NfsServer, io: CliIo, file: string | undefined): void {
  process.on('SIGHUP', () => {
    if (file === undefined) {
      io.err('SIGHUP: nothing to reload (serving directories, not an exports file)');
      return;
    }
    server.reload().then(
      (r) => {
        io.err(`SIGHUP: ${file} reloaded`);
        describeReload(r, io.err);
      },
      (err: unknown) => io.err(`SIGHUP: ${file} not reloaded, the exports stay as they were:\n${err instanceof Error ? err.message : String(err)}`),
    );
  });
}

async function run(args: Parsed, io: CliIo): Promise<number> {
  const cfg = config(args);
  const log = createLogger({ level: cfg.logLevel, json: cfg.logJson });
  const localBackend = (p: string) => createLocalBackend({ path: p, log, ...(cfg.idleMs !== undefined && { idleMs: cfg.idleMs }) });
  const exports: ExportSpec[] = [];
  let reloadSource: (() => Promise<ReloadSpec[]>) | undefined;
  const file = cfg.exportsFile;
  if (file !== undefined) {
    reloadSource = () => exportsFromFile(file, localBackend, { whileDetached: cfg.whileDetached }, log);
    for (const s of await reloadSource()) exports.push({ ...s, backend: await s.backend() });
  } else {
    for (const p of await exportPaths(cfg.dirs)) {
      exports.push({
        path: p,
        backend: await localBackend(p),
        options: { readOnly: cfg.readOnly, noRootSquash: cfg.noRootSquash, whileDetached: cfg.whileDetached },
      });
    }
  }
  const paths = exports.map((e) => e.path);
  const server = new NfsServer({
    reloadSource,
    exports,
    host: cfg.host,
    port: cfg.port,
    portmap: cfg.portmap,
    stateDir: cfg.stateDir,
    log,
    admin: cfg.admin,
    ...(cfg.graceMs !== undefined && { locks: { graceMs: cfg.graceMs } }),
  });
  await server.start();
  const access = file !== undefined ? `hosts as in ${file}` : cfg.readOnly ? 'read-only' : 'read-write';
  for (const line of banner(paths, server.address(), access)) io.out(line);
  if (file !== undefined && paths.length === 0) io.out(`${file} exports nothing yet: edit it, then nfs-node reload`);
  reloadOnHangup(server, io, file);
  const admin = server.adminAddress();
  if (admin) for (const line of ['', `Admin page and /metrics: http://${displayHost(admin.host)}:${admin.port}/`]) io.out(line);
  return untilSignalled(server, io);
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'export directories over NFSv3',
  help: HELP,
  options: {
    exports: { type: 'string' },
    port: { type: 'string' },
    portmap: { type: 'string' },
    'state-dir': { type: 'string' },
    host: { type: 'string' },
    'read-only': { type: 'boolean' },
    'no-root-squash': { type: 'boolean' },
    'idle-ms': { type: 'string' },
    'grace-ms': { type: 'string' },
    'while-detached': { type: 'string' },
    'log-level': { type: 'string' },
    'log-json': { type: 'boolean' },
    admin: { type: 'string' },
    'admin-token': { type: 'string' },
  },
  run,
};
