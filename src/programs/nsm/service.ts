/**
 * The status monitor (NSM, program 100024): what rpc.statd does, for this
 * server's own lock manager and for any local one that asks.
 *
 * SM_NOTIFY from a client that rebooted releases what the server held for
 * it: its locks (through the lock manager's monitor entry), its mount list
 * entries, and, when those were an export's last, the export itself (hooks).
 * Like rpc.statd, a notification concerns the hosts it names or the address
 * it comes from; NSM carries no authentication beyond that.
 *
 * SM_MON, SM_UNMON, SM_UNMON_ALL and SM_SIMU_CRASH come from a lock manager
 * on this machine and are refused from anywhere else, as rpc.statd does.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SM_PROGRAM, SM_V1, SmRes } from '../../proto/nsm/constants.js';
import { readSmStatus, SM_NOTIFY, writeSmStatus } from '../../proto/nsm/sm.js';
import type { Mon, MonId, MyId, SmStatRes, SmStatus, StatChange } from '../../proto/nsm/types.js';
import type { ProcedureCodec } from '../../proto/procedure.js';
import { unmapAddress } from '../portmap/address.js';
import type { CallContext } from '../program.js';
import { normalizeHost, type LockManager } from '../../server/locks/lock-manager.js';
import type { PeerCall } from '../../server/locks/peer-calls.js';
import { notifyAddresses, type Monitored, type NotifyTarget, type StatusMonitor } from '../../server/locks/status-monitor.js';
import type { Logger } from '../../server/log.js';

export interface NsmHooks {
  /** A host rebooted: forget its mounts (and release exports that leaves unused). */
  rebooted(monName: string, addresses: string[]): void;
}

export interface NsmOptions {
  /** The name we give in our SM_NOTIFY calls (the host name). */
  ourName: string;
  /** Delays of the attempts to tell a host of our restart. */
  notifyDelaysMs: readonly number[];
  /** Bound on looking up the addresses of a host named in SM_MON. */
  lookupTimeoutMs: number;
}

export const DEFAULT_NOTIFY_DELAYS_MS = [0, 2000, 10_000, 30_000] as const;

export class NsmService {
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly monitor: StatusMonitor,
    private readonly locks: LockManager,
    private readonly peers: PeerCall,
    private readonly hooks: NsmHooks,
    private readonly log: Logger,
    private readonly opts: NsmOptions,
  ) {}

  stat(): SmStatRes {
    return { res: SmRes.SUCC, state: this.monitor.state };
  }

  async mon(m: Mon, call: CallContext): Promise<SmStatRes> {
    const refused = { res: SmRes.FAIL, state: this.monitor.state };
    if (!isLocal(call)) return refused;
    const addresses = await this.addressesOf(m.monId.monName);
    if (addresses.length === 0) {
      this.log.warn('nsm: SM_MON for a host without an address, refused', { monName: m.monId.monName });
      return refused;
    }
    await this.monitor.monitor({
      monName: m.monId.monName,
      myId: { ...m.monId.myId },
      priv: Buffer.from(m.priv).toString('hex'),
      addresses,
      inProcess: false,
    });
    return { res: SmRes.SUCC, state: this.monitor.state };
  }

  unmon(id: MonId, call: CallContext): number {
    if (isLocal(call)) this.monitor.unmonitor(id.monName, id.myId, false);
    return this.monitor.state;
  }

  unmonAll(id: MyId, call: CallContext): number {
    if (isLocal(call)) this.monitor.unmonitorAll(id, false);
    return this.monitor.state;
  }

  async simulateCrash(call: CallContext): Promise<void> {
    if (!isLocal(call)) return;
    this.log.info('nsm: SM_SIMU_CRASH, telling monitored hosts');
    this.notifyAll(await this.monitor.simulateCrash());
  }

  /** SM_NOTIFY: `change.monName` rebooted. */
  notify(change: StatChange, call: CallContext): void {
    const sender = unmapAddress(call.remote.address);
    // Our own announcement, come back because a monitored client shares our address (a VM behind NAT, a local test).
    if (change.monName === this.opts.ourName && change.state === this.monitor.state) return;
    const matches = this.monitor.matching(change.monName, sender);
    let released = 0;
    for (const m of matches) {
      if (m.inProcess) {
        released += this.locks.releaseHost(normalizeHost(m.monName), 'SM_NOTIFY');
        this.monitor.unmonitor(m.monName, m.myId, true);
      } else {
        this.tellLocalLockManager(m, change.state);
      }
    }
    const addresses = [...new Set([sender, ...matches.flatMap((m) => m.addresses)])];
    this.log.info('nsm: client rebooted', { monName: change.monName, state: change.state, from: sender, monitored: matches.length, released });
    this.hooks.rebooted(change.monName, addresses);
  }

  /** Tells every host to tell (our restart, SM_SIMU_CRASH), retrying in the background. */
  notifyAll(targets: NotifyTarget[] = this.monitor.pending()): void {
    for (const t of targets) this.notifyHost(t, 0);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private notifyHost(t: NotifyTarget, attempt: number): void {
    const delays = this.opts.notifyDelaysMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      void this.sendNotify(t).then((ok) => {
        if (this.closed) return;
        if (ok || attempt + 1 >= delays.length) {
          if (!ok) this.log.warn('nsm: host not told of our restart, given up', { monName: t.monName, addresses: t.addresses });
          this.monitor.notified(t).catch((err: unknown) => this.log.warn('nsm: monitor list not saved', { err }));
        } else {
          this.notifyHost(t, attempt + 1);
        }
      });
    }, delays[attempt] ?? 0);
    timer.unref();
    this.timers.add(timer);
  }

  private async sendNotify(t: NotifyTarget): Promise<boolean> {
    const change: StatChange = { monName: this.opts.ourName, state: this.monitor.state };
    for (const address of notifyAddresses(t)) {
      try {
        await this.peers({ address, prog: SM_PROGRAM, vers: SM_V1, transport: 'udp' }, SM_NOTIFY, change);
        this.log.info('nsm: told host of our restart', { monName: t.monName, address, state: change.state });
        return true;
      } catch (err) {
        this.log.debug('nsm: SM_NOTIFY failed', { monName: t.monName, address, err });
      }
    }
    return false;
  }

  /** rpc.statd's callback: the procedure named in SM_MON's my_id, on this machine, with a `status`. */
  private tellLocalLockManager(m: Monitored, state: number): void {
    const codec: ProcedureCodec<SmStatus, void> = {
      proc: m.myId.myProc,
      name: 'SM_NOTIFY callback',
      readArgs: readSmStatus,
      writeArgs: writeSmStatus,
      readResult() {},
      writeResult() {},
    };
    const status: SmStatus = { monName: m.monName, state, priv: Buffer.from(m.priv, 'hex') };
    this.peers({ address: '127.0.0.1', prog: m.myId.myProg, vers: m.myId.myVers, transport: 'udp' }, codec, status).catch(
      (err: unknown) => this.log.warn('nsm: callback to local lock manager failed', { myId: m.myId, err }),
    );
  }

  private async addressesOf(monName: string): Promise<string[]> {
    if (isIP(monName)) return [monName];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never[]>((resolve) => (timer = setTimeout(() => resolve([]), this.opts.lookupTimeoutMs)));
    const found = lookup(monName, { all: true })
      .then((list) => list.map((a) => unmapAddress(a.address)))
      .catch(() => []);
    return Promise.race([found, timeout]).finally(() => clearTimeout(timer));
  }
}

/**
 * A call from this machine's lock manager: from the loopback address itself,
 * as rpc.statd insists (other 127/8 addresses may stand for other hosts, as
 * they do in tests and containers).
 */
function isLocal(call: CallContext): boolean {
  const a = unmapAddress(call.remote.address);
  return a === '127.0.0.1' || a === '::1';
}
