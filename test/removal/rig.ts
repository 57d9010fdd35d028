/**
 * A server exporting the mount point of a loop-mounted ext4 image and a plain
 * directory beside it (to show the other export keeps serving), with clients
 * as root (no root squash) on 127.0.0.1. Everything is torn down by stop(),
 * also after a failed test.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalBackend } from '../../src/backend/local/index.js';
import { NfsFs } from '../../src/client/fs.js';
import type { WhileDetached } from '../../src/server/exports.js';
import { NfsServer, type RemovalOptions } from '../../src/server/nfs-server.js';
import { isRoot, Scratch } from '../helpers/mounts.js';

export const HOST = '127.0.0.1';
export const needsRoot = { skip: isRoot() ? false : 'needs root (mount, CAP_DAC_READ_SEARCH)' } as const;

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export interface Rig {
  scratch: Scratch;
  img: string;
  /** The image's mount point: the first export. */
  mnt: string;
  /** A plain directory: the second export. */
  other: string;
  stateDir: string;
  server?: NfsServer;
  port: number;
  mount(path: string): Promise<NfsFs>;
  stop(): Promise<void>;
}

export interface RigOptions {
  idleMs?: number;
  whileDetached?: WhileDetached;
  removal?: Partial<RemovalOptions>;
  /** Start no server in-process (the test runs the CLI). */
  noServer?: boolean;
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const scratch = new Scratch();
  const stateDir = mkdtempSync(join(tmpdir(), 'nfs-node-removal-state-'));
  const stop = async (server?: NfsServer): Promise<void> => {
    await server?.stop().catch(() => {});
    scratch.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const img = scratch.ext4Image('disk');
    const mnt = join(scratch.dir, 'mnt');
    scratch.mountImage(img, mnt);
    chmodSync(mnt, 0o777);
    const other = scratch.mkdir('other');
    chmodSync(other, 0o777);
    const rig: Rig = {
      scratch,
      img,
      mnt,
      other,
      stateDir,
      port: 0,
      mount: (path) => NfsFs.mount({ host: HOST, port: rig.port, mountPort: rig.port, path }),
      stop: () => stop(rig.server),
    };
    if (opts.noServer) return rig;
    const options = { noRootSquash: true, whileDetached: opts.whileDetached ?? 'stale' };
    const backend = (path: string) => createLocalBackend({ path, ...(opts.idleMs !== undefined && { idleMs: opts.idleMs }) });
    rig.server = new NfsServer({
      exports: [
        { path: mnt, backend: await backend(mnt), options },
        { path: other, backend: await backend(other), options },
      ],
      host: HOST,
      port: 0,
      portmap: false,
      udp: false,
      stateDir,
      ...(opts.removal && { removal: opts.removal }),
    });
    await rig.server.start();
    rig.port = rig.server.address().port;
    return rig;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Retries `umount` until it succeeds (or `withinMs` passes): how long the storage stayed busy, in ms. */
export async function umountWhenFree(s: Scratch, at: string, withinMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      s.umount(at);
      return performance.now() - started;
    } catch (err) {
      if (performance.now() - started > withinMs) throw err;
      await sleep(25);
    }
  }
}
