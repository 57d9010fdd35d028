/**
 * One export's life on removable storage.
 *
 *   attached  served; descriptors opened on demand and released when idle
 *   detached  ejected by the admin: every call refused (STALE, or JUKEBOX
 *             with whileDetached 'hold'), nothing held, MNT refused; it comes
 *             back with attach, or by itself once its filesystem has been
 *             unmounted and mounted again
 *   absent    its filesystem is no longer at the path (unplugged, unmounted,
 *             something else mounted there): MNT refused; calls still reach
 *             the backend, which answers STALE without touching whatever sits
 *             at the path, so old handles work again the moment the same
 *             filesystem is back, without waiting for the probe
 *
 * Every storage call goes through an ExportGate, which is what makes eject
 * exact (closed, drained, flushed, released, then verified from /proc). The
 * probe watches the mount table, which opens nothing on the storage, and
 * looks at the storage itself only when the mount under the export changed.
 */
import { realpath, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Backend, HoldReport } from '../backend/backend.js';
import { NfsStat3 } from '../proto/nfs3/constants.js';
import { ExportGate } from './export-gate.js';
import type { WhileDetached } from './exports.js';
import { holdersOn, type Holder } from './holders.js';
import type { Logger } from './log.js';
import { isWithin } from './mount-list.js';
import { mountOf } from './mountinfo.js';

export type ExportState = 'attached' | 'detached' | 'absent';

export interface LifecycleOptions {
  /** Backend calls of one export in flight at once. */
  maxConcurrent: number;
  /** How long eject waits for calls in flight to finish. */
  drainMs: number;
  /** How long eject waits for everything written to be made durable. */
  flushMs: number;
  /** How long UMNT and eject wait for the backend to close its descriptors. */
  releaseMs: number;
  log: Logger;
}

export const DEFAULT_LIFECYCLE: Omit<LifecycleOptions, 'log'> = {
  maxConcurrent: 8,
  drainMs: 10_000,
  flushMs: 60_000,
  releaseMs: 5_000,
};

export interface EjectReport {
  export: string;
  /** Nothing of the export is held any more: its storage can be unmounted. */
  ok: boolean;
  /** Everything written so far was made durable (else see flushError). */
  flushed: boolean;
  flushError?: string;
  /** Every call in flight finished within the bound. */
  drained: boolean;
  waitedMs: number;
  /** What still holds the storage (empty when ok). */
  holders: string[];
  /** NLM locks and share reservations on the export that were released (their clients lost them). */
  locksReleased?: number;
}

export interface StorageStatus {
  state: ExportState;
  whileDetached: WhileDetached;
  openDescriptors: number;
  uncommittedBytes: number;
  inFlight: number;
  /** Nothing of the export is held by this process right now. */
  unmountable: boolean;
  reason: string;
  holders: string[];
}

/** True when `p` settled within `ms` (a rejection is passed on); the timer never keeps the process up. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeHolder(h: Holder): string {
  return h.kind === 'fd' ? `fd ${h.fd} ${h.path}` : `${h.kind} ${h.path}`;
}

/** Where the storage is, as seen when it was last attached. */
interface Storage {
  /** The export path, resolved: what the mount table and /proc links show. */
  path: string;
  /** st_dev of its filesystem: what holder scans look for. */
  dev: number;
  /** True when the export is its filesystem's root: anything held on the device keeps it busy. */
  wholeFilesystem: boolean;
}

export class ExportLifecycle {
  readonly gate: ExportGate;
  private current: ExportState = 'attached';
  private storage: Storage | undefined;
  /** The mount under the export when the probe last looked. */
  private mountId: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    readonly backend: Backend,
    readonly whileDetached: WhileDetached,
    private readonly opts: LifecycleOptions,
  ) {
    this.gate = new ExportGate(backend, { maxConcurrent: opts.maxConcurrent });
  }

  get state(): ExportState {
    return this.current;
  }

  /** Records where the storage is; once, before serving. */
  async init(): Promise<void> {
    await this.noteStorage();
  }

  private async noteStorage(): Promise<void> {
    const local = this.backend.path;
    if (local === undefined) return;
    const path = await realpath(local).catch(() => local);
    const [s, mount] = await Promise.all([stat(path), mountOf(path)]);
    this.storage = { path, dev: s.dev, wholeFilesystem: mount?.point === path };
    this.mountId = mount?.id;
  }

  /** Eject, attach and the probe one at a time, so none sees the export half changed. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private present(): Promise<boolean> {
    return this.backend.present ? this.backend.present() : Promise.resolve(true);
  }

  private become(state: ExportState, why: string): void {
    if (state === this.current) return;
    const log = state === 'attached' ? this.opts.log.info : this.opts.log.warn;
    log.call(this.opts.log, `export ${state}`, { export: this.path, was: this.current, why });
    this.current = state;
  }

  /**
   * Why a MNT must be refused now (logged by the caller), or undefined. The
   * storage is checked here too: a mount must not succeed on an empty mount
   * point just because the probe has not run yet.
   */
  async mountRefusal(): Promise<string | undefined> {
    // The gate is closed from the start of an eject: checked in the same turn as present() takes its hold,
    // so an eject releasing now waits for that hold instead of leaving it behind.
    if (this.current === 'detached' || !this.gate.isOpen) {
      return `export ${this.path} is ejected (nfs-node attach ${this.path} serves it again)`;
    }
    if (await this.present()) {
      this.become('attached', 'storage found at MNT');
      return undefined;
    }
    this.become('absent', 'storage not found at MNT');
    return `the filesystem of ${this.path} is not mounted there`;
  }

  /** Closes every descriptor of the export, bounded: its last client unmounted. True when all closed in time. */
  async release(): Promise<boolean> {
    try {
      return await within(this.backend.release(), this.opts.releaseMs);
    } catch (err) {
      this.opts.log.warn('export release failed', { export: this.path, err });
      return false;
    }
  }

  /** Stops the export's work, makes it durable, lets go of everything, and checks from /proc that nothing is held. */
  eject(): Promise<EjectReport> {
    return this.exclusive(async () => {
      const started = performance.now();
      this.gate.close(this.whileDetached === 'hold' ? NfsStat3.JUKEBOX : NfsStat3.STALE);
      this.become('detached', 'ejected');
      const drained = await this.gate.drain(this.opts.drainMs);
      let flushError: string | undefined;
      try {
        if (!(await within(this.backend.flush(), this.opts.flushMs))) flushError = `not done within ${this.opts.flushMs} ms`;
      } catch (err) {
        flushError = err instanceof Error ? err.message : String(err);
      }
      if (flushError) this.opts.log.error('eject: flush failed', { export: this.path, error: flushError });
      await this.release();
      const holders = await this.holders();
      const report: EjectReport = {
        export: this.path,
        ok: holders.length === 0,
        flushed: flushError === undefined,
        ...(flushError !== undefined && { flushError }),
        drained,
        waitedMs: Math.round(performance.now() - started),
        holders,
      };
      this.opts.log.info('eject', { ...report });
      return report;
    });
  }

  /** Serves the export again; fails when its filesystem is not mounted at its path. */
  attach(): Promise<void> {
    return this.exclusive(async () => {
      if (this.current === 'attached') return;
      if (!(await this.present())) {
        throw new Error(`${this.path}: its filesystem is not mounted there; mount it, then attach`);
      }
      await this.noteStorage();
      this.gate.open();
      this.become('attached', 'attach');
    });
  }

  /**
   * One look at the mount table. Only when the mount under the export changed
   * is the storage itself looked at: an attached export lets go of the old
   * filesystem (a lazily unmounted one can then finish) and becomes absent if
   * its own is not there; a detached or absent one comes back when it is.
   */
  probe(): Promise<void> {
    const storage = this.storage;
    if (!storage) return Promise.resolve();
    return this.exclusive(async () => {
      const id = (await mountOf(storage.path))?.id;
      if (id === this.mountId) return;
      this.mountId = id;
      if (this.current === 'attached') await this.release();
      if (!(await this.present())) {
        if (this.current === 'attached') this.become('absent', 'the mount under the export changed');
        return;
      }
      await this.noteStorage();
      this.gate.open();
      this.become('attached', this.current === 'detached' ? 'its filesystem was mounted again' : 'storage is back');
    });
  }

  /** What holds the storage now, from /proc (the backend's own word when it has no local storage). */
  private async holders(own: HoldReport = this.backend.holds()): Promise<string[]> {
    const s = this.storage;
    if (!s) return own.holders;
    const found = await holdersOn(s.dev);
    // An export below its filesystem's root answers for its own subtree only; the rest is not its to release.
    const mine = s.wholeFilesystem ? found : found.filter((h) => isWithin(h.path, s.path));
    return mine.map(describeHolder);
  }

  async status(): Promise<StorageStatus> {
    // Up to date, not as of the last tick: a status right after an umount must say absent.
    await this.probe().catch((err: unknown) => this.opts.log.warn('probe failed', { export: this.path, err }));
    const own = this.backend.holds();
    const holders = await this.holders(own);
    const unmountable = holders.length === 0 && (this.storage !== undefined || own.openDescriptors === 0);
    return {
      state: this.current,
      whileDetached: this.whileDetached,
      openDescriptors: own.openDescriptors,
      uncommittedBytes: own.uncommittedBytes,
      inFlight: this.gate.inFlight,
      unmountable,
      reason: unmountable
        ? this.current === 'absent'
          ? 'its filesystem is not mounted'
          : 'nothing is held'
        : `held: ${holders.join('; ')}`,
      holders,
    };
  }
}
