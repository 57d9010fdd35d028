/**
 * The lock manager behind NLM: what each procedure means, on top of the
 * lock table (src/server/locks/lock-table.ts, pure state) and the status
 * monitor (which hosts must hear of our restarts).
 *
 * Blocked locks. A LOCK that conflicts and may block is queued; when the
 * conflict goes, the table grants it and we tell the client with a GRANTED
 * callback. A client we cannot call back (crashed, firewalled, behind NAT,
 * or a VM whose network we cannot reach) must not keep the lock it never
 * learned of: an unconfirmed grant is revoked when the callback fails. The
 * client still retries its blocked LOCK on its own (Linux every 30 s), and
 * that retry gets the lock if it is free, or confirms the grant if it came
 * first. Queued requests a client stopped retrying expire.
 *
 * Grace. After a restart that lost the locks of monitored hosts, only
 * reclaims are granted for a while, so that every host gets its locks back
 * before anyone else can take them. Without hosts to tell there is nothing to
 * reclaim and no grace period.
 */
import { Nlm4Stat, NLM_PROGRAM } from '../../proto/nlm/constants.js';
import type {
  NlmCancelArgs,
  NlmLock,
  NlmLockArgs,
  NlmNotify,
  NlmRes,
  NlmShareArgs,
  NlmShareRes,
  NlmTestArgs,
  NlmTestRes,
  NlmUnlockArgs,
} from '../../proto/nlm/types.js';
import type { MyId } from '../../proto/nsm/types.js';
import type { CallContext } from '../../programs/program.js';
import { unmapAddress } from '../../programs/portmap/address.js';
import type { Export } from '../exports.js';
import type { Logger } from '../log.js';
import { isErrno, NfsError } from '../../backend/errors.js';
import { isKeyOf, nlmStatusOf, type LockFile, type LockFiles } from './lock-files.js';
import { LockTable, offsetLengthOf, rangeOf, type Grant, type LockOwner, type LockRequest } from './lock-table.js';
import type { StatusMonitor } from './status-monitor.js';

/** A blocked LOCK, and how to tell its client it was granted. */
export interface Waiter {
  host: string;
  file: LockFile;
  /** The client's request (a copy: requests are views into the call's buffer). */
  args: NlmLockArgs;
  callback: { address: string; transport: 'tcp' | 'udp'; vers: number };
  lastSeen: number;
}

export interface LockManagerOptions {
  /** How long only reclaims are granted after a restart that lost locks (default 15 s). */
  graceMs: number;
  /** Locks, shares and queued requests in all, and hosts remembered; beyond it LOCK and SHARE answer DENIED_NOLOCKS. */
  maxEntries: number;
  /** A queued request its client has not repeated for this long is dropped. */
  blockedTtlMs: number;
}

export const DEFAULT_LOCKS: LockManagerOptions = { graceMs: 15_000, maxEntries: 100_000, blockedTtlMs: 120_000 };

/** How our lock manager appears in the status monitor. */
export const LOCAL_LOCKD: MyId = { myName: 'nfs-node', myProg: NLM_PROGRAM, myVers: 4, myProc: 0 };

/** A host seen at more addresses than this (a name shared by many machines?) is matched by the first few. */
const MAX_ADDRESSES_PER_HOST = 8;

/** Offsets the server can lock: knfsd's OFFSET_MAX, as NFS itself accepts. */
const OFFSET_MAX = (1n << 63n) - 1n;

export type GrantedCallback = (w: Waiter) => Promise<boolean>;

export interface LockStatus {
  export: string | undefined;
  file: string;
  host: string;
  addresses: string[];
  svid: number;
  offset: string;
  length: string;
  exclusive: boolean;
}

export interface LocksReport {
  graceEndsAt: number | null;
  held: LockStatus[];
  waiting: LockStatus[];
  shares: Array<{ export: string | undefined; file: string; host: string; mode: number; access: number }>;
}

export class LockManager {
  private readonly table = new LockTable<Waiter>();
  private graceEnds: number;
  private readonly addresses = new Map<string, Set<string>>();
  /** Grants made to queued requests that their client has not confirmed yet, by grantKey. */
  private readonly unconfirmed = new Map<string, Waiter>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly files: LockFiles,
    private readonly monitor: StatusMonitor,
    private readonly granted: GrantedCallback,
    private readonly log: Logger,
    private readonly opts: LockManagerOptions = DEFAULT_LOCKS,
  ) {
    this.graceEnds = monitor.pending().length > 0 ? Date.now() + opts.graceMs : 0;
    if (this.graceEnds > 0) this.log.info('lock grace period: only reclaims are granted', { ms: opts.graceMs, hosts: monitor.pending().length });
    this.sweep = setInterval(() => this.tidy(), Math.max(1000, opts.blockedTtlMs / 4));
    this.sweep.unref();
  }

  close(): void {
    clearInterval(this.sweep);
  }

  inGrace(): boolean {
    if (this.graceEnds === 0) return false;
    if (Date.now() < this.graceEnds) return true;
    this.graceEnds = 0;
    return false;
  }

  async test(args: NlmTestArgs, call: CallContext): Promise<NlmTestRes> {
    const cookie = args.cookie;
    if (this.inGrace()) return { cookie, stat: Nlm4Stat.DENIED_GRACE_PERIOD };
    const file = await this.open(args.alock.fh, call);
    if (typeof file === 'number') return { cookie, stat: file };
    const conflict = this.table.test(file.key, this.request(args.alock, args.exclusive, call));
    if (!conflict) return { cookie, stat: Nlm4Stat.GRANTED };
    return {
      cookie,
      stat: Nlm4Stat.DENIED,
      holder: { exclusive: conflict.exclusive, svid: conflict.owner.svid, oh: conflict.owner.oh, ...offsetLengthOf(conflict) },
    };
  }

  /**
   * LOCK (monitored: the host goes into the status monitor first, so our
   * restart reaches it) and NM_LOCK (not monitored, never blocks: for
   * clients without a status monitor).
   */
  async lock(args: NlmLockArgs, call: CallContext, vers: number, monitored: boolean): Promise<NlmRes> {
    const cookie = args.cookie;
    const stat = await this.tryLock(args, call, vers, monitored);
    return { cookie, stat };
  }

  private async tryLock(args: NlmLockArgs, call: CallContext, vers: number, monitored: boolean): Promise<Nlm4Stat> {
    if (this.inGrace() && !args.reclaim) return Nlm4Stat.DENIED_GRACE_PERIOD;
    if (args.alock.offset > OFFSET_MAX) return Nlm4Stat.FBIG;
    const file = await this.open(args.alock.fh, call);
    if (typeof file === 'number') return file;
    const req = this.request(args.alock, args.exclusive, call);
    const host = req.owner.host;
    if (!this.seen(host, call) || this.full()) return Nlm4Stat.DENIED_NOLOCKS;
    if (monitored && !(await this.monitored(host))) return Nlm4Stat.DENIED_NOLOCKS;
    const result = this.table.lock(file.key, req);
    if ('woken' in result) {
      // Asked again for what a queued request was just granted: the client knows now.
      this.unconfirmed.delete(grantKey(file.key, req));
      this.wake(result.woken);
      return Nlm4Stat.GRANTED;
    }
    if (!args.block || !monitored) return Nlm4Stat.DENIED;
    this.table.block(file.key, req, {
      host,
      file,
      args: copyLockArgs(args),
      callback: { address: unmapAddress(call.remote.address), transport: call.remote.transport, vers },
      lastSeen: Date.now(),
    });
    return Nlm4Stat.BLOCKED;
  }

  async cancel(args: NlmCancelArgs, call: CallContext): Promise<NlmRes> {
    const cookie = args.cookie;
    if (this.inGrace()) return { cookie, stat: Nlm4Stat.DENIED_GRACE_PERIOD };
    const file = await this.open(args.alock.fh, call, false);
    if (typeof file === 'number') return { cookie, stat: file };
    const req = this.request(args.alock, args.exclusive, call);
    if (!this.table.cancel(file.key, req)) {
      // Cancelled after we granted it but before the client heard: it does not think it holds the lock.
      const k = grantKey(file.key, req);
      if (this.unconfirmed.delete(k)) this.wake(this.table.unlock(file.key, req.owner, req));
    }
    return { cookie, stat: Nlm4Stat.GRANTED };
  }

  async unlock(args: NlmUnlockArgs, call: CallContext): Promise<NlmRes> {
    const cookie = args.cookie;
    if (this.inGrace()) return { cookie, stat: Nlm4Stat.DENIED_GRACE_PERIOD };
    // A file deleted since it was locked still has its locks in the table: unlocking needs no live file.
    const file = await this.open(args.alock.fh, call, false);
    if (typeof file === 'number') return { cookie, stat: file };
    const req = this.request(args.alock, false, call);
    for (const k of this.unconfirmed.keys()) if (k.startsWith(ownerPrefix(file.key, req.owner))) this.unconfirmed.delete(k);
    this.wake(this.table.unlock(file.key, req.owner, req));
    return { cookie, stat: Nlm4Stat.GRANTED };
  }

  async share(args: NlmShareArgs, call: CallContext): Promise<NlmShareRes> {
    const cookie = args.cookie;
    const stat = await this.tryShare(args, call);
    return { cookie, stat, sequence: 0 };
  }

  private async tryShare(args: NlmShareArgs, call: CallContext): Promise<Nlm4Stat> {
    if (this.inGrace() && !args.reclaim) return Nlm4Stat.DENIED_GRACE_PERIOD;
    const file = await this.open(args.share.fh, call);
    if (typeof file === 'number') return file;
    const host = hostOf(args.share.callerName, call);
    if (!this.seen(host, call) || this.full()) return Nlm4Stat.DENIED_NOLOCKS;
    return this.table.share(file.key, { host, oh: args.share.oh }, args.share.mode, args.share.access)
      ? Nlm4Stat.GRANTED
      : Nlm4Stat.DENIED;
  }

  async unshare(args: NlmShareArgs, call: CallContext): Promise<NlmShareRes> {
    const cookie = args.cookie;
    if (this.inGrace()) return { cookie, stat: Nlm4Stat.DENIED_GRACE_PERIOD, sequence: 0 };
    const file = await this.open(args.share.fh, call, false);
    if (typeof file === 'number') return { cookie, stat: file, sequence: 0 };
    const host = hostOf(args.share.callerName, call);
    this.table.unshare(file.key, { host, oh: args.share.oh });
    return { cookie, stat: Nlm4Stat.GRANTED, sequence: 0 };
  }

  /** FREE_ALL: the client says it lost every lock it had (it rebooted, or its lock manager restarted). */
  freeAll(notify: NlmNotify): void {
    this.releaseHost(normalizeHost(notify.name), 'FREE_ALL');
  }

  /** A monitored host rebooted (SM_NOTIFY): whatever it held is released. Returns how many locks and shares. */
  releaseHost(host: string, why: string): number {
    const r = this.table.releaseHost(host);
    // Queued requests (r.dropped) were never granted; the host's unconfirmed grants are released with its locks.
    for (const k of [...this.unconfirmed.keys()]) if (this.unconfirmed.get(k)!.host === host) this.unconfirmed.delete(k);
    this.wake(r.woken);
    this.forgetIdleHosts();
    const released = r.locks + r.shares;
    if (released + r.dropped.length > 0) this.log.info('locks released', { host, why, locks: r.locks, shares: r.shares, queued: r.dropped.length });
    return released;
  }

  /** Eject: the export's locks, shares and queued requests go; returns how many locks and shares were held. */
  releaseExport(exp: Export): number {
    const r = this.table.releaseFiles(isKeyOf(exp));
    for (const k of [...this.unconfirmed.keys()]) if (isKeyOf(exp)(k)) this.unconfirmed.delete(k);
    this.wake(r.woken);
    this.forgetIdleHosts();
    return r.locks + r.shares;
  }

  report(): LocksReport {
    const paths = new Map<string, string | undefined>();
    const exportPath = (key: string) => {
      const id = key.slice(0, key.indexOf('/'));
      if (!paths.has(id)) paths.set(id, this.files.exportOf(key)?.path);
      return paths.get(id);
    };
    const describe = (file: string, l: LockRequest): LockStatus => {
      const { offset, length } = offsetLengthOf(l);
      return {
        export: exportPath(file),
        file,
        host: l.owner.host,
        addresses: [...(this.addresses.get(l.owner.host) ?? [])],
        svid: l.owner.svid,
        offset: offset.toString(),
        length: length.toString(),
        exclusive: l.exclusive,
      };
    };
    return {
      graceEndsAt: this.inGrace() ? this.graceEnds : null,
      held: this.table.locks().map(({ file, lock }) => describe(file, lock)),
      waiting: this.table.waiting().map(({ file, lock }) => describe(file, lock)),
      shares: this.table.shares().map((s) => ({ export: exportPath(s.file), file: s.file, host: s.host, mode: s.mode, access: s.access })),
    };
  }

  /** The file, or the nlm4_stats to answer when it cannot be had. */
  private async open(fh: Buffer, call: CallContext, mustExist = true): Promise<LockFile | Exclude<Nlm4Stat, Nlm4Stat.GRANTED>> {
    try {
      return await this.files.open(fh, call, mustExist);
    } catch (err) {
      const stat = nlmStatusOf(err);
      if (err instanceof NfsError || isErrno(err)) this.log.debug('nlm: file refused', { stat: Nlm4Stat[stat], err });
      else this.log.error('nlm: file lookup failed', { err, stack: (err as Error)?.stack });
      return stat;
    }
  }

  private request(alock: NlmLock, exclusive: boolean, call: CallContext): LockRequest {
    return {
      owner: { host: hostOf(alock.callerName, call), svid: alock.svid, oh: Buffer.from(alock.oh) },
      exclusive,
      ...rangeOf(alock.offset, alock.length),
    };
  }

  /**
   * Records where a host was seen; false when there are too many hosts to
   * remember (a flood of caller names: hosts holding nothing are only
   * forgotten by the periodic sweep).
   */
  private seen(host: string, call: CallContext): boolean {
    let set = this.addresses.get(host);
    if (!set) {
      if (this.addresses.size >= this.opts.maxEntries) return false;
      this.addresses.set(host, (set = new Set()));
    }
    if (set.size < MAX_ADDRESSES_PER_HOST) set.add(unmapAddress(call.remote.address));
    return true;
  }

  /** Monitors the host if it is not yet; false when that could not be made durable. */
  private async monitored(host: string): Promise<boolean> {
    const addresses = [...(this.addresses.get(host) ?? [])];
    try {
      await this.monitor.monitor({ monName: host, myId: LOCAL_LOCKD, priv: '', addresses, inProcess: true });
      return true;
    } catch (err) {
      this.log.error('nlm: status monitor list not saved, lock refused', { host, err });
      return false;
    }
  }

  /**
   * Hosts that hold and wait for nothing any more are no longer monitored
   * (or remembered). Swept periodically rather than on every UNLOCK, which
   * would scan the whole table each time; a host monitored a little longer
   * costs at most a needless SM_NOTIFY after a restart.
   */
  private forgetIdleHosts(): void {
    const busy = this.table.hosts();
    for (const host of this.addresses.keys()) {
      if (busy.has(host)) continue;
      this.addresses.delete(host);
      this.monitor.unmonitor(host, LOCAL_LOCKD, true);
    }
  }

  private tidy(): void {
    this.expireBlocked();
    this.forgetIdleHosts();
  }

  private full(): boolean {
    return this.table.size() >= this.opts.maxEntries;
  }

  /** Tells the clients of newly granted queued requests, and takes back what they cannot be told. */
  private wake(grants: Grant<Waiter>[]): void {
    for (const g of grants) {
      const k = grantKey(g.file, g.lock);
      this.unconfirmed.set(k, g.waiter);
      void this.granted(g.waiter)
        .catch(() => false)
        .then((ok) => {
          if (this.unconfirmed.get(k) !== g.waiter) return;
          this.unconfirmed.delete(k);
          if (ok) return;
          this.log.info('nlm: GRANTED callback failed, grant taken back until the client asks again', {
            host: g.waiter.host,
            address: g.waiter.callback.address,
          });
          this.revoke(g);
        });
    }
  }

  /**
   * Takes a grant back: the range returns to what the owner held before it
   * (nothing, or the shared lock it wanted to upgrade). The owner's earlier
   * locks are put back first, while it still holds the whole range, so no
   * waiter woken by the release can take them in between.
   */
  private revoke(g: Grant<Waiter>): void {
    const woken: Grant<Waiter>[] = [];
    const owner = g.lock.owner;
    let from = g.lock.start;
    for (const before of [...g.replaced].sort((a, b) => (a.start < b.start ? -1 : 1))) {
      const again = this.table.lock(g.file, { ...before, owner });
      if ('conflict' in again) this.log.warn('nlm: a lock taken back could not be restored as it was', { host: g.waiter.host });
      else woken.push(...again.woken);
      if (before.start > from) woken.push(...this.table.unlock(g.file, owner, { start: from, end: before.start }));
      from = before.end;
    }
    if (from < g.lock.end) woken.push(...this.table.unlock(g.file, owner, { start: from, end: g.lock.end }));
    this.wake(woken);
  }

  private expireBlocked(): void {
    const old = Date.now() - this.opts.blockedTtlMs;
    for (const { file, lock, waiter } of this.table.waiting()) {
      if (waiter.lastSeen < old) this.table.cancel(file, lock);
    }
  }
}

/** NLM names hosts by caller_name; an empty one (some PC clients) by the caller's address. */
function hostOf(callerName: string, call: CallContext): string {
  return callerName === '' ? unmapAddress(call.remote.address) : normalizeHost(callerName);
}

export function normalizeHost(name: string): string {
  return name.toLowerCase();
}

function ownerPrefix(file: string, owner: LockOwner): string {
  return `${file} ${owner.host} ${owner.svid} ${owner.oh.toString('hex')} `;
}

function grantKey(file: string, req: LockRequest): string {
  return `${ownerPrefix(file, req.owner)}${req.start} ${req.end} ${req.exclusive ? 'x' : 's'}`;
}

function copyLockArgs(a: NlmLockArgs): NlmLockArgs {
  return {
    ...a,
    cookie: Buffer.from(a.cookie),
    alock: { ...a.alock, fh: Buffer.from(a.alock.fh), oh: Buffer.from(a.alock.oh) },
  };
}
