/**
 * The server: exports, state, programs and transports put together.
 *
 * MOUNT and NFS share one port on TCP and UDP, so a client can mount with
 * `-o port=P,mountport=P` and no portmapper at all. A portmapper is served on
 * its own port when asked for; when a system rpcbind already owns that port,
 * the server registers with it instead.
 */
import { hostname } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ControlServer } from '../admin/control.js';
import { AdminHttpServer, isLoopback, tokenFromFile } from '../admin/http.js';
import type { Backend } from '../backend/backend.js';
import { Dispatcher } from '../net/dispatcher.js';
import { TcpTransport, type ConnectionStats, type TcpLimits } from '../net/tcp.js';
import { UdpTransport } from '../net/udp.js';
import { CallBudget } from '../net/call-budget.js';
import { PortmapClient } from '../client/portmap.js';
import { createMountProgram } from '../programs/mount/index.js';
import { createNfs3Program } from '../programs/nfs3/index.js';
import { createNlmProgram } from '../programs/nlm/index.js';
import { createNsmProgram, DEFAULT_NOTIFY_DELAYS_MS, NsmService } from '../programs/nsm/index.js';
import { createPortmapProgram } from '../programs/portmap/index.js';
import { unmapAddress } from '../programs/portmap/address.js';
import { PortmapRegistry } from '../programs/portmap/registry.js';
import { IPPROTO_TCP, IPPROTO_UDP, PMAP_PORT } from '../proto/portmap/constants.js';
import type { Mapping } from '../proto/portmap/pmap.js';
import type { Program, Remote } from '../programs/program.js';
import { DEFAULT_LIMITS, type ServerEnv, type TransferLimits } from './env.js';
import { preparingClients } from './access.js';
import { ExportRegistry, exportIdOf, type Export, type ExportOptions } from './exports.js';
import { HandleCodec } from './handles.js';
import { silentLogger, type Logger } from './log.js';
import { adminHandlers, controlSocketPath, type ExportStatus } from './admin.js';
import { DEFAULT_LIFECYCLE, ExportLifecycle, type EjectReport, type LifecycleOptions } from './lifecycle.js';
import { isWithin, MountList, type MountEntry } from './mount-list.js';
import { defaultStateDir, isRoot, MOUNT_LIST_FILE, StateDir } from './state-dir.js';
import { callObserver, CallNames, ServerMetrics, type ServerLoad } from './metrics.js';
import { grantedCallback, resultSender } from './locks/callbacks.js';
import { LockFiles } from './locks/lock-files.js';
import { DEFAULT_LOCKS, LockManager, type LockManagerOptions, type LocksReport } from './locks/lock-manager.js';
import { DEFAULT_PEER_CALLS, peerCaller, type PeerCallOptions } from './locks/peer-calls.js';
import { NSM_FILE, StatusMonitor } from './locks/status-monitor.js';

export const NFS_PORT = 2049;
/** The unprivileged default: a non-root user cannot bind 2049. */
export const NFS_PORT_UNPRIVILEGED = 20490;

export interface ExportSpec {
  /** The path clients mount, e.g. "/srv/media". */
  path: string;
  backend: Backend;
  options?: Partial<ExportOptions>;
  /** The id handles carry (exports(5) fsid=); default: derived from the path. */
  id?: number;
}

/** An export as a reload wants it: its backend is made only if the path is new. */
export interface ReloadSpec extends Omit<ExportSpec, 'backend'> {
  backend(): Promise<Backend>;
}

export interface ReloadReport {
  added: string[];
  /** Exports no longer in the list (or whose id changed), released as by eject. */
  removed: EjectReport[];
  /** Exports kept, with the options of the new list from their next call on. */
  kept: string[];
}

export interface NfsServerOptions {
  exports: ExportSpec[];
  /** Default: "::" (IPv4 and IPv6) where the system has IPv6, else "0.0.0.0". */
  host?: string;
  /** MOUNT and NFS, TCP and UDP. Default 2049 as root, else 20490; 0 picks a free port (the same for UDP). */
  port?: number;
  /** Also serve UDP (default true). */
  udp?: boolean;
  /** Default { port: 111 } as root, else false. */
  portmap?: { port: number } | false;
  /** Default /var/lib/nfs-node as root, else $XDG_STATE_HOME/nfs-node. */
  stateDir?: string;
  limits?: Partial<TransferLimits>;
  /** TCP resource limits; maxRecord defaults to the largest WRITE plus 64 KiB. */
  tcp?: Partial<TcpLimits>;
  /** Calls in flight over every connection and UDP together (default 1024; see CallBudget). */
  maxCallsInFlight?: number;
  log?: Logger;
  /** How long stop() waits for calls in flight (default 5 s). */
  shutdownGraceMs?: number;
  /** Eject, idle and mount-list policy (see RemovalOptions). */
  removal?: Partial<RemovalOptions>;
  /** Serve the control socket `<stateDir>/control.sock` for status/eject/attach (default true). */
  control?: boolean;
  /** Where reload() gets the new export list (the exports file); it throws to keep the current one. */
  reloadSource?: () => Promise<ReloadSpec[]>;
  /** The admin web page, its API and /metrics over HTTP (default off; see AdminOptions). */
  admin?: AdminOptions;
  /** NLM and NSM: the grace period after a restart, limits, and how clients are called back. */
  locks?: Partial<LockOptions>;
}

export interface LockOptions extends LockManagerOptions {
  /** Where clients' lock managers and status monitors are found (their portmapper), and the bound on each callback. */
  peerCalls: PeerCallOptions;
  /** The name this server gives in its SM_NOTIFY calls (default: the host name). */
  name: string;
  /** When the hosts monitored before a restart are told of it (attempts, ms after start). */
  notifyDelaysMs: readonly number[];
}

export interface AdminOptions {
  host: string;
  /** 0 picks a free port (adminAddress() tells which). */
  port: number;
  /**
   * Required on API requests when set. Bound beyond loopback without one, the
   * token in `<stateDir>/admin-token` is used (created on first start).
   */
  token?: string;
  /** A taken port is logged and the server runs without the page, instead of failing to start. */
  optional?: boolean;
}

/** Where a token is kept for an admin page bound beyond loopback. */
export const ADMIN_TOKEN_FILE = 'admin-token';

export interface RemovalOptions extends Omit<LifecycleOptions, 'log'> {
  /** How often the mount table is looked at for exports whose filesystem went or came back (default 2 s). */
  probeMs: number;
  /**
   * Mount list entries of clients not heard from for this long are dropped
   * (default 7 days). Every NFS call refreshes its client's entry, so only
   * clients that vanished expire; a week keeps a laptop asleep over a long
   * weekend listed, while a crashed client's entry does not linger for ever
   * (knfsd's rmtab never forgets). Entries are advisory: idle release does not
   * wait for them.
   */
  mountExpiryMs: number;
}

export const DEFAULT_REMOVAL: RemovalOptions = {
  ...DEFAULT_LIFECYCLE,
  probeMs: 2000,
  mountExpiryMs: 7 * 24 * 3600 * 1000,
};

export interface ServerAddress {
  host: string;
  /** MOUNT and NFS, TCP (and UDP when enabled). */
  port: number;
  udp: boolean;
  /** How the portmapper is provided: our own on `port`, or a system rpcbind we registered with. */
  portmap: { kind: 'builtin'; port: number } | { kind: 'system'; port: number } | undefined;
}

/** Recent activity of one export (read by status and, later, idle release). */
export interface ExportActivity {
  /** Epoch milliseconds of the last call that reached the export. */
  lastActive: number;
  calls: number;
  /** Client address → epoch milliseconds of its last call. */
  clients: Map<string, number>;
}

interface Listener {
  tcp: TcpTransport;
  udp: UdpTransport | undefined;
  port: number;
}

export class NfsServer {
  private readonly log: Logger;
  private readonly activityByExport = new Map<Export, ExportActivity>();
  private readonly lifecycles = new Map<Export, ExportLifecycle>();
  /** Closed by stop(): those given, plus those reloads added, less those they removed. */
  private readonly backends: Set<Backend>;
  private removal: RemovalOptions = DEFAULT_REMOVAL;
  private reloading: Promise<unknown> = Promise.resolve();
  private control: ControlServer | undefined;
  private readonly callNames = new CallNames();
  private readonly callBudget: CallBudget;
  private readonly metrics: ServerMetrics | undefined;
  private adminHttp: { server: AdminHttpServer; host: string; port: number; url: string } | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private main: Listener | undefined;
  private portmapListener: Listener | undefined;
  private systemPortmap: { client: PortmapClient; mappings: Mapping[]; port: number } | undefined;
  private mounts: MountList | undefined;
  private locks: LockManager | undefined;
  private nsm: NsmService | undefined;
  private registry: ExportRegistry | undefined;
  private boundHost = '';
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(private readonly options: NfsServerOptions) {
    this.backends = new Set(options.exports.map((e) => e.backend));
    this.callBudget = new CallBudget(options.maxCallsInFlight);
    const log = options.log ?? silentLogger;
    this.metrics = options.admin ? new ServerMetrics(this, this.callNames) : undefined;
    this.log = this.metrics ? this.metrics.counting(log) : log;
  }

  /** The exports served (available once started). */
  get exports(): ExportRegistry {
    if (!this.registry) throw new Error('server not started');
    return this.registry;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cannot start a server that is ${this.state}`);
    this.state = 'starting';
    try {
      await this.startUp();
      this.state = 'running';
    } catch (err) {
      await this.shutDown(0).catch(() => {});
      this.state = 'stopped';
      throw err;
    }
  }

  private async startUp(): Promise<void> {
    const o = this.options;
    const stateDir = await StateDir.open(o.stateDir ?? defaultStateDir());
    const registry = new ExportRegistry(new HandleCodec(await stateDir.handleKey()));
    const removal = { ...DEFAULT_REMOVAL, ...o.removal };
    this.removal = removal;
    await Promise.all(o.exports.map((e) => this.serveExport(registry, e)));
    this.registry = registry;
    this.mounts = await MountList.load(stateDir.file(MOUNT_LIST_FILE), this.log);
    this.startTimers(removal);
    if (o.control ?? true) {
      this.control = new ControlServer(controlSocketPath(stateDir.dir), adminHandlers(this));
      await this.control.listen();
    }

    const limits = { ...DEFAULT_LIMITS, ...o.limits };
    const env: ServerEnv = { exports: registry, limits, log: this.log, touch: (exp, remote) => this.touch(exp, remote) };
    const locking = await this.startLocking(env, stateDir);
    // Handlers decide access synchronously: a client's host names (for name rules) are looked up before.
    const prepare = (remote: Remote) => registry.prepare(remote);
    const programs: Program[] = [
      createMountProgram(env, this.mounts, {
        refuseMount: (exp) => this.lifecycles.get(exp)?.mountRefusal() ?? Promise.resolve(undefined),
        onMount: (exp, remote) => this.log.info('mount', { export: exp.path, client: describe(remote) }),
        onUnmount: (exp, remote) => this.unmounted(exp, remote),
      }),
      preparingClients(createNfs3Program(env), prepare),
      preparingClients(locking.nlm, prepare),
      locking.nsm,
    ];
    const tcpLimits: Partial<TcpLimits> = { maxRecord: limits.writeMax + (64 << 10), ...o.tcp };
    const main = new Dispatcher(programs, this.log);
    this.callNames.add(programs);
    main.observer = callObserver(this.callNames, this.metrics, this.log);
    const udp = o.udp ?? true;
    const port = o.port ?? (isRoot() ? NFS_PORT : NFS_PORT_UNPRIVILEGED);
    this.main = await this.listenWithHostFallback(main, port, udp, tcpLimits);

    const portmap = o.portmap ?? (isRoot() ? { port: PMAP_PORT } : false);
    if (portmap) await this.startPortmap(portmap.port, programs, udp);
    if (o.admin) await this.startAdmin(o.admin, stateDir);
    // Once clients can reach us: their lock managers reclaim as soon as they hear.
    this.nsm!.notifyAll();
    this.log.info('started', {
      ...this.address(),
      exports: o.exports.map((e) => e.path),
      ...(this.adminHttp && { admin: this.adminHttp.url }),
    });
  }

  private async startLocking(env: ServerEnv, stateDir: StateDir): Promise<{ nlm: Program; nsm: Program }> {
    const lo = { ...DEFAULT_LOCKS, ...this.options.locks };
    const monitor = await StatusMonitor.open(stateDir.file(NSM_FILE), this.log);
    const peers = peerCaller({ ...DEFAULT_PEER_CALLS, ...lo.peerCalls });
    const locks = new LockManager(new LockFiles(env), monitor, grantedCallback(peers), this.log, lo);
    this.locks = locks;
    this.nsm = new NsmService(monitor, locks, peers, { rebooted: (name, addresses) => this.clientRebooted(name, addresses) }, this.log, {
      ourName: lo.name ?? hostname(),
      notifyDelaysMs: lo.notifyDelaysMs ?? DEFAULT_NOTIFY_DELAYS_MS,
      lookupTimeoutMs: 2000,
    });
    return { nlm: createNlmProgram(locks, resultSender(peers, this.log)), nsm: createNsmProgram(this.nsm) };
  }

  private async startAdmin(opts: AdminOptions, stateDir: StateDir): Promise<void> {
    let token = opts.token;
    const tokenFile = stateDir.file(ADMIN_TOKEN_FILE);
    if (!token && !isLoopback(opts.host)) token = await tokenFromFile(tokenFile);
    const api = {
      status: () => this.status(),
      eject: (path: string) => this.eject(path),
      attach: (path: string) => this.attach(path),
      metrics: () => this.metrics!.text(),
      totals: () => ({ ...this.metrics!.snapshot(), connections: this.connections().length }),
    };
    const server = new AdminHttpServer(api, { ...opts, token }, this.log);
    let port: number;
    try {
      port = await server.listen();
    } catch (err) {
      if (!opts.optional) throw err;
      this.log.warn('admin page not served', { host: opts.host, port: opts.port, err });
      return;
    }
    const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/`;
    this.adminHttp = { server, host: opts.host, port, url };
    this.log.info('admin page', {
      url,
      ...(token && { token: opts.token ? 'as configured' : `in ${tokenFile}` }),
    });
  }

  /** Where the admin page is served, if it is. */
  adminAddress(): { host: string; port: number } | undefined {
    return this.adminHttp && { host: this.adminHttp.host, port: this.adminHttp.port };
  }

  /** Adds an export with its lifecycle; the protocol layer only ever sees the gated backend, so eject can stop every call. */
  private async serveExport(registry: ExportRegistry, e: ExportSpec): Promise<Export> {
    const lifecycle = new ExportLifecycle(e.path, e.backend, e.options?.whileDetached ?? 'stale', { ...this.removal, log: this.log });
    const exp = registry.add(e.path, lifecycle.gate.gated, e.options, e.id);
    this.lifecycles.set(exp, lifecycle);
    await lifecycle.init();
    return exp;
  }

  /**
   * Serves the export list from `reloadSource` without dropping connections:
   * new exports appear, removed ones are released as by eject (their handles
   * then answer STALE), kept ones take their new options from their next
   * call. Nothing changes when the source throws (a malformed file) or a new
   * export cannot be set up: the error is passed on.
   */
  reload(): Promise<ReloadReport> {
    const source = this.options.reloadSource;
    if (!source) return Promise.reject(new Error('this server was not started from an exports file: nothing to reload'));
    const run = this.reloading.then(async () => this.applyReload(await source()));
    this.reloading = run.catch(() => {});
    return run;
  }

  private async applyReload(specs: ReloadSpec[]): Promise<ReloadReport> {
    const registry = this.exports;
    const ids = new Map<number, string>();
    for (const s of specs) {
      const id = s.id ?? exportIdOf(s.path);
      const other = ids.get(id);
      if (other !== undefined) throw new Error(`export id ${id} of ${s.path} collides with ${other}`);
      ids.set(id, s.path);
    }
    // An export whose id changes is another export to clients: its old handles must go stale.
    const retiring = registry.list().filter((exp) => ids.get(exp.id) !== exp.path);
    const adding = specs.filter((s) => !registry.byPath(s.path) || retiring.some((r) => r.path === s.path));
    const made: ExportSpec[] = [];
    try {
      for (const s of adding) made.push({ ...s, backend: await s.backend() });
    } catch (err) {
      await Promise.all(made.map((m) => m.backend.close().catch(() => {})));
      throw err;
    }
    const report: ReloadReport = { added: [], removed: [], kept: [] };
    for (const exp of retiring) report.removed.push(await this.retire(exp));
    for (const s of specs) {
      const exp = registry.byPath(s.path);
      if (exp && !made.some((m) => m.path === s.path)) {
        registry.reconfigure(exp, s.options ?? {});
        report.kept.push(s.path);
      }
    }
    for (const m of made) {
      this.backends.add(m.backend);
      await this.serveExport(registry, m);
      report.added.push(m.path);
    }
    this.log.info('exports reloaded', { added: report.added, removed: report.removed.map((r) => r.export), kept: report.kept });
    return report;
  }

  /** An export leaves the list: released exactly as by eject, then forgotten and its backend closed. */
  private async retire(exp: Export): Promise<EjectReport> {
    const lifecycle = this.lifecycles.get(exp)!;
    const report = await this.ejectWithLocks(exp, lifecycle);
    this.exports.remove(exp.path);
    this.lifecycles.delete(exp);
    this.activityByExport.delete(exp);
    this.backends.delete(lifecycle.backend);
    await lifecycle.backend.close().catch((err: unknown) => this.log.warn('backend close failed', { export: exp.path, err }));
    return report;
  }

  /** Binds the given host, or "::" falling back to "0.0.0.0" on a system without IPv6. */
  private async listenWithHostFallback(
    dispatcher: Dispatcher,
    port: number,
    udp: boolean,
    tcp: Partial<TcpLimits>,
  ): Promise<Listener> {
    if (this.options.host !== undefined) {
      this.boundHost = this.options.host;
      return this.listen(dispatcher, this.boundHost, port, udp, tcp);
    }
    try {
      this.boundHost = '::';
      return await this.listen(dispatcher, '::', port, udp, tcp);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw err;
      this.boundHost = '0.0.0.0';
      return this.listen(dispatcher, '0.0.0.0', port, udp, tcp);
    }
  }

  /**
   * TCP then UDP on the same port. With port 0 the TCP port is chosen by the
   * system and may be taken on UDP: then try another.
   */
  private async listen(
    dispatcher: Dispatcher,
    host: string,
    port: number,
    udp: boolean,
    tcpLimits: Partial<TcpLimits>,
  ): Promise<Listener> {
    for (let attempt = 0; ; attempt++) {
      const tcp = new TcpTransport(dispatcher, { log: this.log, limits: tcpLimits, budget: this.callBudget });
      const bound = await tcp.listen(port, host);
      if (!udp) return { tcp, udp: undefined, port: bound };
      const u = new UdpTransport(dispatcher, { log: this.log, budget: this.callBudget });
      try {
        await u.bind(bound, host);
        return { tcp, udp: u, port: bound };
      } catch (err) {
        await tcp.close(0);
        if (port !== 0 || attempt >= 10 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
    }
  }

  private async startPortmap(port: number, programs: Program[], udp: boolean): Promise<void> {
    const mappings = programs.flatMap((p) => mappingsOf(p, this.main!.port, udp));
    const registry = new PortmapRegistry();
    // Bound to one address, that is the address to hand out; on a wildcard the portmapper works it out per caller.
    const host = this.boundHost;
    const wildcard = host === '::' || host === '0.0.0.0';
    const program = createPortmapProgram(registry, wildcard ? {} : { localAddress: () => host });
    try {
      this.portmapListener = await this.listen(new Dispatcher([program], this.log), this.boundHost, port, udp, {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      await this.registerWithSystemPortmap(port, mappings);
      return;
    }
    // The portmapper lists itself, as rpcbind does.
    mappings.push(...mappingsOf(program, this.portmapListener.port, udp));
    for (const m of mappings) registry.set(m);
  }

  /**
   * A system rpcbind owns the port: register MOUNT and NFS with it, and
   * unregister on stop. A registration held by someone else (rpc.mountd, or a
   * run of ours that crashed) is left alone: clearing it could take another
   * service off the map; the admin can (rpcinfo -d). Failing to register does
   * not stop the server: clients can still mount with explicit ports.
   */
  private async registerWithSystemPortmap(port: number, mappings: Mapping[]): Promise<void> {
    let client: PortmapClient;
    try {
      client = await PortmapClient.connect({ host: '127.0.0.1', port });
    } catch (err) {
      this.log.warn('portmapper port is taken but does not answer: not registered', { port, err });
      return;
    }
    const registered: Mapping[] = [];
    this.systemPortmap = { client, mappings: registered, port };
    for (const m of mappings) {
      try {
        if (await client.set(m)) {
          registered.push(m);
          continue;
        }
        const holder = await client.getport(m.prog, m.vers, m.prot);
        if (holder !== m.port) {
          this.log.warn('system portmapper: registration held by another port, left alone', { ...m, holder });
        }
      } catch (err) {
        this.log.warn('system portmapper: registration failed', { ...m, err });
      }
    }
    this.log.info('registered with the system portmapper', { port, mappings: registered.length });
  }

  /** Periodic work, all unref'd: a server with nothing else to do may exit. */
  private startTimers(removal: RemovalOptions): void {
    let probing = false;
    const probe = setInterval(() => {
      if (probing) return;
      probing = true;
      void Promise.all(
        [...this.lifecycles.values()].map((l) => l.probe().catch((err: unknown) => this.log.warn('probe failed', { export: l.path, err }))),
      ).finally(() => (probing = false));
    }, removal.probeMs);
    const expiry = setInterval(
      () => this.expireMounts(removal.mountExpiryMs),
      Math.min(Math.max(removal.mountExpiryMs / 2, 50), 10 * 60_000),
    );
    for (const t of [probe, expiry]) {
      t.unref();
      this.timers.push(t);
    }
  }

  private expireMounts(olderThanMs: number): void {
    const mounts = this.mounts;
    if (!mounts) return;
    for (const e of mounts.expire(olderThanMs)) this.log.info('mount entry expired', { ...e });
    // Also saves the lastSeen times calls refreshed in memory.
    mounts.flush().catch((err: unknown) => this.log.warn('mount list not saved', { err }));
  }

  /** The mount list's entries of an export (not those of another export nested in it). */
  private mountsOf(exp: Export): MountEntry[] {
    const nested = this.exports.list().filter((o) => o !== exp && isWithin(o.path, exp.path));
    return this.mounts!.under(exp.path).filter((e) => !nested.some((o) => isWithin(e.path, o.path)));
  }

  /** UMNT/UMNTALL: when the export's last client is gone, it lets go of its storage before the reply. */
  private unmounted(exp: Export, remote: Remote): Promise<void> {
    return this.releaseIfUnmounted(exp, describe(remote));
  }

  /**
   * SM_NOTIFY: a client rebooted, so its mounts are gone (it will mount
   * again); exports this leaves without clients are released as on UMNT.
   */
  private clientRebooted(name: string, addresses: string[]): void {
    const removed = addresses.flatMap((a) => this.mounts?.removeAll(a) ?? []);
    if (removed.length === 0) return;
    this.mounts!.flush().catch((err: unknown) => this.log.warn('mount list not saved', { err }));
    const exps = new Set(removed.flatMap((e) => this.exports.list().filter((exp) => isWithin(e.path, exp.path))));
    for (const exp of exps) {
      this.releaseIfUnmounted(exp, `${name} (rebooted)`).catch((err: unknown) => this.log.warn('release failed', { export: exp.path, err }));
    }
  }

  private async releaseIfUnmounted(exp: Export, client: string): Promise<void> {
    const left = this.mountsOf(exp).length;
    const lifecycle = this.lifecycles.get(exp);
    if (left > 0 || !lifecycle) {
      this.log.info('unmount', { export: exp.path, client, mountsLeft: left });
      return;
    }
    const started = performance.now();
    const released = await lifecycle.release();
    const ms = Math.round(performance.now() - started);
    this.log.info('unmount: last client gone, export released', { export: exp.path, client, released, ms });
  }

  private lifecycleOf(path: string): { exp: Export; lifecycle: ExportLifecycle } {
    const exp = this.exports.byPath(path) ?? this.exports.byPath(resolvePath(path));
    const lifecycle = exp && this.lifecycles.get(exp);
    if (!exp || !lifecycle) {
      throw new Error(`${path} is not exported (exports: ${this.exports.list().map((e) => e.path).join(', ')})`);
    }
    return { exp, lifecycle };
  }

  /**
   * Eject: new calls refused (STALE, or JUKEBOX with whileDetached 'hold'),
   * calls in flight drained (bounded), everything written made durable,
   * everything closed; ok when /proc shows nothing held on its storage.
   * Other exports keep being served.
   */
  eject(path: string): Promise<EjectReport> {
    const { exp, lifecycle } = this.lifecycleOf(path);
    const run = () => this.ejectWithLocks(exp, lifecycle);
    return this.metrics ? this.metrics.timeEject(run) : run();
  }

  /** After the drain, so no LOCK in flight lands after the release; the export's lock holders lose their locks. */
  private async ejectWithLocks(exp: Export, lifecycle: ExportLifecycle): Promise<EjectReport> {
    const report = await lifecycle.eject();
    const locksReleased = this.locks?.releaseExport(exp) ?? 0;
    if (locksReleased > 0) this.log.info('eject: locks released', { export: exp.path, locks: locksReleased });
    return { ...report, locksReleased };
  }

  /** Every lock, queued lock request and share reservation, and whether the grace period is on. */
  lockReport(): LocksReport {
    if (!this.locks) throw new Error('server not started');
    return this.locks.report();
  }

  /** Serves an ejected export again; rejects when its filesystem is not mounted at its path. */
  async attach(path: string): Promise<ExportStatus> {
    const { exp, lifecycle } = this.lifecycleOf(path);
    await lifecycle.attach();
    return this.statusOf(exp, lifecycle, this.locks?.report());
  }

  /** Per export: state, clients, activity, what is held and whether the storage can be unmounted now. */
  status(): Promise<ExportStatus[]> {
    const locks = this.locks?.report();
    return Promise.all([...this.lifecycles].map(([exp, lifecycle]) => this.statusOf(exp, lifecycle, locks)));
  }

  private async statusOf(exp: Export, lifecycle: ExportLifecycle, locks: LocksReport | undefined): Promise<ExportStatus> {
    const a = this.activityByExport.get(exp);
    const mine = <T extends { export: string | undefined }>(list: T[] | undefined) => (list ?? []).filter((l) => l.export === exp.path);
    return {
      path: exp.path,
      ...(await lifecycle.status()),
      clients: this.mountsOf(exp),
      locks: { held: mine(locks?.held), waiting: mine(locks?.waiting), shares: mine(locks?.shares).length },
      activity: a
        ? {
            lastActive: a.lastActive,
            calls: a.calls,
            clients: [...a.clients].map(([address, lastSeen]) => ({ address, lastSeen })),
          }
        : null,
    };
  }

  private touch(exp: Export, remote: Remote): void {
    const now = Date.now();
    this.mounts?.touch(unmapAddress(remote.address), exp.path, now);
    let a = this.activityByExport.get(exp);
    if (!a) {
      a = { lastActive: now, calls: 0, clients: new Map() };
      this.activityByExport.set(exp, a);
    }
    a.lastActive = now;
    a.calls++;
    a.clients.set(remote.address, now);
  }

  /** Activity of an export since the server started; undefined if no call has reached it. */
  activity(exp: Export): ExportActivity | undefined {
    return this.activityByExport.get(exp);
  }

  /** The actual ports (useful when port 0 was asked for). */
  address(): ServerAddress {
    if (!this.main) throw new Error('server not started');
    const pm = this.portmapListener
      ? { kind: 'builtin' as const, port: this.portmapListener.port }
      : this.systemPortmap
        ? { kind: 'system' as const, port: this.systemPortmap.port }
        : undefined;
    return { host: this.boundHost, port: this.main.port, udp: this.main.udp !== undefined, portmap: pm };
  }

  /** The server-wide cap on calls in flight and what it turned away. */
  load(): ServerLoad {
    const budget = this.callBudget;
    const udpDropped = [this.main, this.portmapListener].reduce((n, l) => n + (l?.udp?.dropped ?? 0), 0);
    return { callsInFlight: budget.inFlight, connectionsWaiting: budget.waiting, waits: budget.waits, udpDropped };
  }

  /** Open TCP connections with their counters. */
  connections(): ConnectionStats[] {
    return [...(this.main?.tcp.stats() ?? []), ...(this.portmapListener?.tcp.stats() ?? [])];
  }

  /**
   * Stops accepting calls, lets those in flight finish (bounded), closes the
   * sockets, makes every backend flush and close, and saves the mount list.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    try {
      await this.shutDown(this.options.shutdownGraceMs ?? 5000);
    } finally {
      this.state = 'stopped';
    }
  }

  private async shutDown(graceMs: number): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        this.log.error(`stop: ${what} failed`, { err });
        errors.push(err);
      }
    };
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.nsm?.close();
    this.locks?.close();
    const admin = this.adminHttp;
    this.adminHttp = undefined;
    if (admin) await attempt('admin page close', () => admin.server.close());
    const control = this.control;
    this.control = undefined;
    if (control) await attempt('control socket close', () => control.close());
    const pm = this.systemPortmap;
    if (pm) {
      this.systemPortmap = undefined;
      for (const m of pm.mappings) await attempt('portmap unset', () => pm.client.unset(m));
      await attempt('portmap client close', () => pm.client.close());
    }
    await Promise.all(
      [this.main, this.portmapListener].flatMap((l) =>
        l ? [attempt('tcp close', () => l.tcp.close(graceMs)), attempt('udp close', async () => l.udp?.close(graceMs))] : [],
      ),
    );
    // Not from the registry: a start that failed early must still close what it was given.
    await Promise.all(
      [...this.backends].map((b) => attempt('backend flush and close', async () => {
        await b.flush();
        await b.close();
      })),
    );
    const mounts = this.mounts;
    if (mounts) await attempt('mount list save', () => mounts.flush());
    if (errors.length > 0) throw new AggregateError(errors, 'server stopped with errors');
  }
}

/** A program's portmapper entries: every version, on TCP and (when served) UDP. */
function mappingsOf(program: Program, port: number, udp: boolean): Mapping[] {
  const prots = udp ? [IPPROTO_TCP, IPPROTO_UDP] : [IPPROTO_TCP];
  return [...program.versions.keys()].flatMap((vers) => prots.map((prot) => ({ prog: program.prog, vers, prot, port })));
}

function describe(remote: Remote): string {
  return `${remote.address}:${remote.port}/${remote.transport}`;
}
