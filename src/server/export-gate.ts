/**
 * The gate every call to an export's backend passes through.
 *
 * It is what makes eject exact: once closed, no new call reaches the backend,
 * and the calls already inside are counted, so the export can be drained,
 * flushed and released with nothing able to reopen a descriptor behind it.
 * It also bounds how many backend calls one export may have in flight, so a
 * stalled disk fills its own queue instead of the whole libuv pool that the
 * other exports need.
 */
import type { Backend } from '../backend/backend.js';
import { NfsError } from '../backend/errors.js';
import { NfsStat3 } from '../proto/nfs3/constants.js';

/** The Backend methods that act on the storage for a client. */
const OPERATIONS = [
  'root',
  'getattr',
  'setattr',
  'lookup',
  'access',
  'readlink',
  'read',
  'write',
  'create',
  'mkdir',
  'symlink',
  'mknod',
  'remove',
  'rmdir',
  'rename',
  'link',
  'readdir',
  'fsstat',
  'fsinfo',
  'pathconf',
  'commit',
] as const satisfies ReadonlyArray<keyof Backend>;

export interface GateOptions {
  /** Backend calls of this export allowed in flight at once; the rest wait in order. */
  maxConcurrent: number;
}

export class ExportGate {
  /** The backend as the protocol layer must use it: storage calls gated, lifecycle calls passed through. */
  readonly gated: Backend;
  private closedWith: NfsStat3 | undefined;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly drained: Array<() => void> = [];

  constructor(
    readonly backend: Backend,
    private readonly opts: GateOptions,
  ) {
    const gated: Partial<Record<keyof Backend, unknown>> = {
      flush: () => backend.flush(),
      release: () => backend.release(),
      holds: () => backend.holds(),
      close: () => backend.close(),
    };
    for (const name of OPERATIONS) {
      const method = backend[name] as (...args: unknown[]) => Promise<unknown>;
      gated[name] = (...args: unknown[]) => this.enter(() => method.apply(backend, args));
    }
    this.gated = gated as Backend;
  }

  /** Calls currently inside the backend or queued for it. */
  get inFlight(): number {
    return this.running + this.waiting.length;
  }

  get isOpen(): boolean {
    return this.closedWith === undefined;
  }

  /** Refuses new calls with `status` (STALE for a detached export, JUKEBOX to make clients retry). */
  close(status: NfsStat3): void {
    this.closedWith = status;
  }

  open(): void {
    this.closedWith = undefined;
  }

  /** Resolves when no call is inside or queued, or after `timeoutMs`; true when drained. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.drained.indexOf(done);
        if (i >= 0) this.drained.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.drained.push(done);
    });
  }

  private async enter<T>(call: () => Promise<T>): Promise<T> {
    if (this.closedWith !== undefined) throw new NfsError(this.closedWith, 'export is detached');
    if (this.running >= this.opts.maxConcurrent) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      // Closed while queued: the call never reached the storage.
      if (this.closedWith !== undefined) {
        this.leave();
        throw new NfsError(this.closedWith, 'export is detached');
      }
    } else {
      this.running++;
    }
    try {
      return await call();
    } finally {
      this.leave();
    }
  }

  /** Hands the slot to the next queued call, or frees it. */
  private leave(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
      return;
    }
    this.running--;
    if (this.running === 0) for (const done of this.drained.splice(0)) done();
  }
}
