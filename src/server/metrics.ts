/**
 * Prometheus metrics of a running server, in prom-client's registry (one per
 * server: two servers in a process do not mix their counts).
 *
 * Calls are counted from the dispatcher's observer, which hands over the call
 * record's header, the reply and the handler's result: the status label is
 * the nfsstat3 (or mountstat3) of the reply when the call was accepted, else
 * the RPC-level refusal (GARBAGE_ARGS, PROC_UNAVAIL, AUTH_BADCRED...). What
 * changes slowly (connections, descriptors, uncommitted bytes, export state)
 * is read at scrape time, so the data path pays nothing for it.
 *
 * Labels are bounded whatever clients send: an unknown program or procedure
 * is counted as "unknown", not under a number chosen by the caller.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallObserver, ObservedCall } from '../net/dispatcher.js';
import type { ConnectionStats } from '../net/tcp.js';
import type { Program } from '../programs/program.js';
import { MOUNT_PROGRAM, MountProc, MountStat3 } from '../proto/mount/constants.js';
import { NFS_PROGRAM, Nfs3Proc, NfsStat3 } from '../proto/nfs3/constants.js';
import type { ExportStatus } from './admin.js';
import type { EjectReport } from './lifecycle.js';
import type { LogFields, Logger } from './log.js';

/** Where the scrape-time gauges read from (the server). */
export interface MetricsSource {
  status(): Promise<ExportStatus[]>;
  connections(): ConnectionStats[];
  load(): ServerLoad;
}

/** The server-wide cap on calls in flight (CallBudget) and what it turned away. */
export interface ServerLoad {
  callsInFlight: number;
  /** Connections waiting for a slot right now. */
  connectionsWaiting: number;
  /** Times a connection had to wait, since start. */
  waits: number;
  /** UDP datagrams dropped over a cap, since start. */
  udpDropped: number;
}

/** Totals the admin page turns into rates. */
export interface Totals {
  calls: number;
  bytesRead: number;
  bytesWritten: number;
}

const ACCEPT_STATS = ['SUCCESS', 'PROG_UNAVAIL', 'PROG_MISMATCH', 'PROC_UNAVAIL', 'GARBAGE_ARGS', 'SYSTEM_ERR'];
const AUTH_STATS = [
  'AUTH_OK',
  'AUTH_BADCRED',
  'AUTH_REJECTEDCRED',
  'AUTH_BADVERF',
  'AUTH_REJECTEDVERF',
  'AUTH_TOOWEAK',
  'AUTH_INVALIDRESP',
  'AUTH_FAILED',
];

/** Reads one XDR word of a reply given as segments (a header may in principle straddle two). */
function wordAt(segments: readonly Buffer[], offset: number): number | undefined {
  const first = segments[0];
  if (first !== undefined && offset + 4 <= first.length) return first.readUInt32BE(offset);
  let value = 0;
  for (let i = 0; i < 4; i++) {
    let at = offset + i;
    let byte: number | undefined;
    for (const s of segments) {
      if (at < s.length) {
        byte = s[at];
        break;
      }
      at -= s.length;
    }
    if (byte === undefined) return undefined;
    value = value * 256 + byte;
  }
  return value;
}

/**
 * The reply's RPC-level status (RFC 5531 reply_body): 'SUCCESS' or the
 * accept_stat name when accepted, 'RPC_MISMATCH' or the auth_stat name when
 * denied; with, for an accepted call, where its results start.
 */
export function replyStatus(reply: readonly Buffer[]): { status: string; results?: number } {
  if (wordAt(reply, 8) === 1) {
    if (wordAt(reply, 12) === 0) return { status: 'RPC_MISMATCH' };
    return { status: AUTH_STATS[wordAt(reply, 16) ?? -1] ?? 'AUTH_ERROR' };
  }
  const verfLength = wordAt(reply, 16) ?? 0;
  const at = 20 + ((verfLength + 3) & ~3);
  const stat = wordAt(reply, at);
  const status = ACCEPT_STATS[stat ?? -1] ?? 'UNKNOWN';
  return stat === 0 ? { status, results: at + 4 } : { status };
}

/** The status a call is counted under: its nfsstat3/mountstat3 name when it has one, else the RPC status. */
function callStatus(prog: number, proc: number, reply: readonly Buffer[]): string {
  const rpc = replyStatus(reply);
  if (rpc.results === undefined) return rpc.status;
  if (prog === NFS_PROGRAM && proc !== Nfs3Proc.NULL) {
    const s = wordAt(reply, rpc.results);
    return s === undefined ? rpc.status : s === NfsStat3.OK ? 'NFS3_OK' : `NFS3ERR_${NfsStat3[s] ?? 'UNKNOWN'}`;
  }
  if (prog === MOUNT_PROGRAM && proc === MountProc.MNT) {
    const s = wordAt(reply, rpc.results);
    return s === undefined ? rpc.status : s === MountStat3.OK ? 'MNT3_OK' : `MNT3ERR_${MountStat3[s] ?? 'UNKNOWN'}`;
  }
  return rpc.status;
}

/** READ's and WRITE's byte counts, from the handler's result (the procedure modules are not involved). */
function countOf(result: unknown): number {
  if (typeof result !== 'object' || result === null) return 0;
  const r = result as { status?: unknown; count?: unknown };
  return r.status === NfsStat3.OK && typeof r.count === 'number' ? r.count : 0;
}

/** Program and procedure names by number, from the programs served. */
export class CallNames {
  private readonly programs = new Map<number, { name: string; procs: Map<number, Map<number, string>> }>();

  add(programs: readonly Program[]): void {
    for (const p of programs) {
      const procs = new Map<number, Map<number, string>>();
      for (const [vers, v] of p.versions) procs.set(vers, new Map([...v.procedures].map(([n, proc]) => [n, proc.codec.name])));
      this.programs.set(p.prog, { name: p.name, procs });
    }
  }

  program(prog: number): string | undefined {
    return this.programs.get(prog)?.name;
  }

  procedure(prog: number, vers: number, proc: number): string | undefined {
    return this.programs.get(prog)?.procs.get(vers)?.get(proc);
  }
}

/**
 * The dispatcher's observer: metrics when kept, and a debug line per call
 * when the log level is debug; undefined (no observer, nothing paid per
 * call) when neither is wanted.
 */
export function callObserver(names: CallNames, metrics: ServerMetrics | undefined, log: Logger): CallObserver | undefined {
  const count = metrics?.observe;
  if (log.level !== 'debug') return count;
  return (call) => {
    count?.(call);
    log.debug('call', {
      prog: names.program(call.prog) ?? call.prog,
      vers: call.vers,
      proc: names.procedure(call.prog, call.vers, call.proc) ?? call.proc,
      xid: call.xid,
      client: `${call.remote.address}:${call.remote.port}/${call.remote.transport}`,
      status: callStatus(call.prog, call.proc, call.reply),
      ms: Number(call.endNs - call.startNs) / 1e6,
    });
  };
}

/** Latency buckets in seconds: from a cached GETATTR to a WRITE that waited for a slow disk. */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const EJECT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120];
const LATENCY = 'nfs_node_request_duration_seconds';

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * One procedure's latency histogram as plain numbers, handed to the registry
 * at scrape time: a prom-client observe through a labelled child hashes its
 * labels on every call (~0.35 µs).
 */
class LatencyCounts {
  /** Observations per bucket, not cumulative; the last is +Inf. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  constructor(
    readonly program: string,
    readonly procedure: string,
  ) {}

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }

  /** Its samples in prom-client's form: cumulative buckets by `le`, then the sum and the count. */
  samples(): Sample[] {
    const { program, procedure } = this;
    let below = 0;
    const out = LATENCY_BUCKETS.map((le, i): Sample => {
      below += this.buckets[i]!;
      return { metricName: `${LATENCY}_bucket`, labels: { program, procedure, le }, value: below };
    });
    out.push({ metricName: `${LATENCY}_bucket`, labels: { program, procedure, le: '+Inf' }, value: this.count });
    out.push({ metricName: `${LATENCY}_sum`, labels: { program, procedure }, value: this.sum });
    out.push({ metricName: `${LATENCY}_count`, labels: { program, procedure }, value: this.count });
    return out;
  }
}

interface Series {
  program: string;
  version: string;
  procedure: string;
  latency: LatencyCounts;
  /** Calls by status: plain numbers, handed to the registry at scrape time (a prom-client inc costs ~0.4 µs). */
  byStatus: Map<string, { n: number }>;
}

export class ServerMetrics {
  readonly registry = new Registry();
  /** By "program/procedure" (the versions of a procedure share one). */
  private readonly latency = new Map<string, LatencyCounts>();
  private readonly bytes: Counter<'direction'>;
  private readonly ejects: Counter<'result'>;
  private readonly ejectSeconds: Histogram;
  private readonly logEvents: Counter<'level'>;
  /** By "prog/vers/proc" and by bounded labels: no label hashing per call. */
  private readonly series = new Map<string, Series>();
  /** The procedures served, by one number of prog, vers and proc (seriesOf): no key string per call. */
  private readonly served = new Map<number, Series>();
  private readonly allSeries: Series[] = [];
  private readonly readBytes: { inc(n: number): void };
  private readonly writtenBytes: { inc(n: number): void };
  private readonly totals: Totals = { calls: 0, bytesRead: 0, bytesWritten: 0 };

  constructor(
    source: MetricsSource,
    private readonly names: CallNames,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const allSeries = this.allSeries;
    new Counter({
      name: 'nfs_node_requests_total',
      help: 'RPC calls answered, by program, version, procedure and status (nfsstat3/mountstat3 name, or the RPC-level refusal)',
      labelNames: ['program', 'version', 'procedure', 'status'],
      registers,
      collect() {
        this.reset();
        for (const { program, version, procedure, byStatus } of allSeries) {
          for (const [status, count] of byStatus) this.inc({ program, version, procedure, status }, count.n);
        }
      },
    });
    const latency = this.latency;
    const help = 'Time from a call record to its reply, by program and procedure';
    // Registered as prom-client registers its own: an object the registry asks for its samples at scrape time.
    const histogram = {
      name: LATENCY,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({
        name: LATENCY,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values: [...latency.values()].flatMap((l) => l.samples()),
      }),
    };
    this.registry.registerMetric(histogram as unknown as Parameters<Registry['registerMetric']>[0]);
    this.bytes = new Counter({
      name: 'nfs_node_data_bytes_total',
      help: 'File data moved by READ (direction="read") and WRITE (direction="written")',
      labelNames: ['direction'],
      registers,
    });
    this.readBytes = this.bytes.labels({ direction: 'read' });
    this.writtenBytes = this.bytes.labels({ direction: 'written' });
    this.readBytes.inc(0);
    this.writtenBytes.inc(0);
    this.ejects = new Counter({
      name: 'nfs_node_ejects_total',
      help: 'Ejects, by result: ok (storage released), held (something still holds it), failed (the eject threw)',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['ok', 'held', 'failed']) this.ejects.inc({ result }, 0);
    this.ejectSeconds = new Histogram({
      name: 'nfs_node_eject_duration_seconds',
      help: 'How long ejects took (drain, flush, release)',
      buckets: EJECT_BUCKETS,
      registers,
    });
    this.logEvents = new Counter({
      name: 'nfs_node_errors_total',
      help: 'Errors and warnings the server logged (failed procedures, flush failures, lost storage...), by level',
      labelNames: ['level'],
      registers,
    });
    for (const level of ['error', 'warn']) this.logEvents.inc({ level }, 0);
    new Gauge({
      name: 'nfs_node_connections',
      help: 'Open TCP connections',
      registers,
      collect() {
        this.set(source.connections().length);
      },
    });
    const gauge = (name: string, help: string, value: (l: ServerLoad) => number): void => {
      new Gauge({ name, help, registers, collect() { this.set(value(source.load())); } });
    };
    const counter = (name: string, help: string, value: (l: ServerLoad) => number): void => {
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(value(source.load())); } });
    };
    gauge('nfs_node_calls_in_flight', 'Calls being served, over every connection and UDP', (l) => l.callsInFlight);
    gauge('nfs_node_connections_waiting', 'Connections waiting for the server-wide cap on calls in flight', (l) => l.connectionsWaiting);
    counter('nfs_node_call_waits_total', 'Times a connection had to wait for the cap on calls in flight', (l) => l.waits);
    counter('nfs_node_udp_dropped_total', 'UDP calls dropped over a cap (clients retransmit)', (l) => l.udpDropped);
    this.exportGauges(source, registers);
  }

  /** Per-export gauges, all filled from one status() per scrape. */
  private exportGauges(source: MetricsSource, registers: Registry[]): void {
    let pending: Promise<ExportStatus[]> | undefined;
    // The registry collects every metric at once: the first gauge asks, the others of that scrape share its answer.
    const status = (): Promise<ExportStatus[]> =>
      (pending ??= source.status().finally(() => {
        pending = undefined;
      }));
    const perExport = (name: string, help: string, value: (s: ExportStatus) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['export'],
        registers,
        async collect() {
          const list = await status();
          this.reset();
          for (const s of list) this.set({ export: s.path }, value(s));
        },
      });
    };
    perExport('nfs_node_export_open_descriptors', 'Descriptors the export holds open on its storage', (s) => s.openDescriptors);
    perExport('nfs_node_export_uncommitted_bytes', 'Bytes written UNSTABLE and not yet committed', (s) => s.uncommittedBytes);
    perExport('nfs_node_export_in_flight', 'Calls running on the export', (s) => s.inFlight);
    perExport('nfs_node_export_unmountable', '1 when nothing of the export is held: its storage can be unmounted now', (s) =>
      s.unmountable ? 1 : 0,
    );
    perExport('nfs_node_export_clients', 'Clients in the mount list', (s) => s.clients.length);
    perExport('nfs_node_export_locks', 'NLM locks and share reservations held on the export', (s) => s.locks.held.length + s.locks.shares);
    perExport('nfs_node_export_locks_waiting', 'NLM lock requests queued on the export', (s) => s.locks.waiting.length);
    new Gauge({
      name: 'nfs_node_export_state',
      help: '1 for the state the export is in (attached, detached, absent), 0 for the others',
      labelNames: ['export', 'state'],
      registers,
      async collect() {
        const list = await status();
        this.reset();
        for (const s of list) for (const state of STATES) this.set({ export: s.path, state }, s.state === state ? 1 : 0);
      },
    });
  }

  /** The counters of one (program, version, procedure), created on its first call. */
  private seriesOf(prog: number, vers: number, proc: number): Series {
    // Programs are 32-bit: with a version and a procedure below 256 the three fit one exact number.
    const num = vers < 256 && proc < 256 ? prog * 65536 + vers * 256 + proc : undefined;
    const byNumber = num === undefined ? undefined : this.served.get(num);
    if (byNumber) return byNumber;
    const key = `${prog}/${vers}/${proc}`;
    const known = this.series.get(key);
    if (known) return known;
    const program = this.names.program(prog) ?? 'unknown';
    const procName = this.names.procedure(prog, vers, proc);
    const version = procName === undefined ? 'unknown' : String(vers);
    const procedure = procName ?? 'unknown';
    const bounded = `${program}/${version}/${procedure}`;
    let s = this.series.get(bounded);
    if (!s) {
      const latencyKey = `${program}/${procedure}`;
      let latency = this.latency.get(latencyKey);
      if (!latency) this.latency.set(latencyKey, (latency = new LatencyCounts(program, procedure)));
      s = { program, version, procedure, latency, byStatus: new Map() };
      this.series.set(bounded, s);
      this.allSeries.push(s);
    }
    // Only numbers we serve become keys: what a caller makes up maps to the one "unknown" series each time.
    if (procName !== undefined) {
      if (num === undefined) this.series.set(key, s);
      else this.served.set(num, s);
    }
    return s;
  }

  /** The dispatcher's observer. */
  readonly observe = (call: ObservedCall): void => {
    const s = this.seriesOf(call.prog, call.vers, call.proc);
    const status = callStatus(call.prog, call.proc, call.reply);
    const count = s.byStatus.get(status);
    if (count) count.n++;
    else s.byStatus.set(status, { n: 1 });
    s.latency.observe(Number(call.endNs - call.startNs) / 1e9);
    this.totals.calls++;
    if (call.prog !== NFS_PROGRAM || (call.proc !== Nfs3Proc.READ && call.proc !== Nfs3Proc.WRITE)) return;
    const n = countOf(call.result);
    if (n === 0) return;
    if (call.proc === Nfs3Proc.READ) {
      this.readBytes.inc(n);
      this.totals.bytesRead += n;
    } else {
      this.writtenBytes.inc(n);
      this.totals.bytesWritten += n;
    }
  };

  /** Runs an eject, counting it by its outcome and timing it. */
  async timeEject(eject: () => Promise<EjectReport>): Promise<EjectReport> {
    const end = this.ejectSeconds.startTimer();
    let result = 'failed';
    try {
      const report = await eject();
      result = report.ok ? 'ok' : 'held';
      return report;
    } finally {
      end();
      this.ejects.inc({ result });
    }
  }

  /** Calls and data since start, for rates. */
  snapshot(): Totals {
    return { ...this.totals };
  }

  /** A logger that also counts the warnings and errors it passes on. */
  counting(log: Logger): Logger {
    const events = this.logEvents;
    return {
      level: log.level,
      debug: (m: string, f?: LogFields) => log.debug(m, f),
      info: (m: string, f?: LogFields) => log.info(m, f),
      warn: (m: string, f?: LogFields) => {
        events.inc({ level: 'warn' });
        log.warn(m, f);
      },
      error: (m: string, f?: LogFields) => {
        events.inc({ level: 'error' });
        log.error(m, f);
      },
    };
  }

  /** The text exposition format. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

const STATES = ['attached', 'detached', 'absent'] as const;
