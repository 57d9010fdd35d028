/**
 * The status monitor's state (NSM, what rpc.statd keeps in /var/lib/nfs):
 * this server's state number and the hosts it monitors, in one file of the
 * state directory.
 *
 * The state number is odd while the server runs and grows with every start
 * (NSM protocol): a client that sees it change knows the server lost its
 * locks. At start, every host monitored by the previous run is to be told
 * (SM_NOTIFY) so that its lock manager reclaims; the list of hosts still to
 * tell is kept in the file until each has been, so a crash during the
 * notifications does not forget anyone.
 */
import { isIP } from 'node:net';
import type { MyId } from '../../proto/nsm/types.js';
import type { Logger } from '../log.js';
import { StateFile } from '../state-file.js';

export interface Monitored {
  /** The monitored host as named by who asked (our lock manager: the client's caller_name). */
  monName: string;
  /** Who to tell when it reboots. */
  myId: MyId;
  /** Handed back with the news (SM_MON's priv), hex. */
  priv: string;
  /** Where the host was seen: SM_NOTIFY from one of these is from it, and at our restart we tell it there. */
  addresses: string[];
  /** Registered by this server's own lock manager, not over the wire. */
  inProcess: boolean;
}

/** A host to send SM_NOTIFY to. */
export interface NotifyTarget {
  monName: string;
  addresses: string[];
}

interface MonitorFile {
  version: number;
  state: number;
  monitored: Monitored[];
  toNotify: NotifyTarget[];
}

const FORMAT_VERSION = 1;
export const NSM_FILE = 'nsm.json';

export class StatusMonitor {
  private readonly monitored = new Map<string, Monitored>();
  private readonly toNotify = new Map<string, NotifyTarget>();
  private readonly file: StateFile<MonitorFile> | undefined;

  private constructor(
    file: string | undefined,
    private currentState: number,
  ) {
    this.file = file === undefined ? undefined : new StateFile(file, () => this.snapshot());
  }

  /**
   * Starts a new run: a state number above every earlier one (odd), and the
   * hosts the last run monitored (and those it had not told yet) become the
   * hosts to tell. Persisted before it resolves: a client must never see
   * the same state number from two runs.
   */
  static async open(file: string | undefined, log: Logger): Promise<StatusMonitor> {
    const saved = file === undefined ? undefined : ((await StateFile.read(file, 'status monitor list', log)) as Partial<MonitorFile> | undefined);
    const valid = saved?.version === FORMAT_VERSION && Number.isSafeInteger(saved.state);
    if (saved !== undefined && !valid) log.warn('status monitor list has an unknown format, starting empty', { file });
    const last = valid ? (saved.state as number) : 0;
    const monitor = new StatusMonitor(file, last % 2 === 0 ? last + 1 : last + 2);
    if (valid) {
      for (const t of [...(saved.monitored ?? []), ...(saved.toNotify ?? [])].filter(isTarget)) monitor.addTarget(t);
    }
    monitor.file?.changed();
    await monitor.file?.flush();
    return monitor;
  }

  /** This run's state number (odd). */
  get state(): number {
    return this.currentState;
  }

  /** Hosts still to be told of this run's state. */
  pending(): NotifyTarget[] {
    return [...this.toNotify.values()];
  }

  /** A host was told (or given up on). */
  notified(target: NotifyTarget): Promise<void> {
    if (this.toNotify.delete(key(target.monName))) this.file?.changed();
    return this.flush();
  }

  /** SM_MON: resolves once the entry is durable (a lock may be granted only to a monitored host). */
  monitor(m: Monitored): Promise<void> {
    const k = entryKey(m.monName, m.myId, m.inProcess);
    const old = this.monitored.get(k);
    const addresses = [...new Set([...(old?.addresses ?? []), ...m.addresses])];
    if (old && old.priv === m.priv && addresses.length === old.addresses.length) return this.flush();
    this.monitored.set(k, { ...m, addresses });
    this.file?.changed();
    return this.flush();
  }

  isMonitored(monName: string, myId: MyId, inProcess: boolean): boolean {
    return this.monitored.has(entryKey(monName, myId, inProcess));
  }

  /** SM_UNMON. The file is written lazily: a stale entry costs at most one needless SM_NOTIFY after a restart. */
  unmonitor(monName: string, myId: MyId, inProcess: boolean): void {
    if (this.monitored.delete(entryKey(monName, myId, inProcess))) this.changedLazily();
  }

  /** SM_UNMON_ALL: every host monitored on behalf of myId. */
  unmonitorAll(myId: MyId, inProcess: boolean): void {
    let any = false;
    for (const [k, m] of this.monitored) {
      if (m.inProcess === inProcess && sameId(m.myId, myId)) any = this.monitored.delete(k);
    }
    if (any) this.changedLazily();
  }

  /**
   * The entries an SM_NOTIFY concerns: those naming the host (names compare
   * without case, as host names do), or seen at the sender's address, as
   * rpc.statd matches them.
   */
  matching(monName: string, sender: string): Monitored[] {
    const name = key(monName);
    return [...this.monitored.values()].filter((m) => key(m.monName) === name || m.addresses.includes(sender));
  }

  /** SM_SIMU_CRASH: a new state number, as after a restart, and every monitored host to be told. */
  simulateCrash(): Promise<NotifyTarget[]> {
    this.currentState += 2;
    for (const m of this.monitored.values()) this.addTarget(m);
    this.monitored.clear();
    this.file?.changed();
    return this.flush().then(() => this.pending());
  }

  list(): Monitored[] {
    return [...this.monitored.values()];
  }

  flush(): Promise<void> {
    return this.file?.flush() ?? Promise.resolve();
  }

  private changedLazily(): void {
    this.file?.changed();
    this.flush().catch(() => {});
  }

  private addTarget(t: NotifyTarget): void {
    const k = key(t.monName);
    const old = this.toNotify.get(k);
    this.toNotify.set(k, { monName: t.monName, addresses: [...new Set([...(old?.addresses ?? []), ...t.addresses])] });
  }

  private snapshot(): MonitorFile {
    return { version: FORMAT_VERSION, state: this.currentState, monitored: this.list(), toNotify: this.pending() };
  }
}

/** Where to send a host its notification: the addresses it was seen at, or its name when that is an address. */
export function notifyAddresses(t: NotifyTarget): string[] {
  return t.addresses.length > 0 ? t.addresses : isIP(t.monName) ? [t.monName] : [];
}

function key(monName: string): string {
  return monName.toLowerCase();
}

function entryKey(monName: string, id: MyId, inProcess: boolean): string {
  return JSON.stringify([key(monName), id.myName, id.myProg, id.myVers, id.myProc, inProcess]);
}

function sameId(a: MyId, b: MyId): boolean {
  return a.myName === b.myName && a.myProg === b.myProg && a.myVers === b.myVers && a.myProc === b.myProc;
}

function isTarget(v: unknown): v is NotifyTarget {
  const t = v as Partial<NotifyTarget> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.monName === 'string' &&
    Array.isArray(t.addresses) &&
    t.addresses.every((a) => typeof a === 'string')
  );
}
