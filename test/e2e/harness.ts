/**
 * End-to-end harness: a real server on loopback, the project's client over
 * TCP with strict reply checking, and each group of tests registered once per
 * backend. Every test works in a fresh directory of its own under the export
 * root, so groups can share one server.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { createLocalBackend } from '../../src/backend/local/index.js';
import { MemoryBackend } from '../../src/backend/memory/index.js';
import { authSys } from '../../src/client/auth.js';
import { MountClient } from '../../src/client/mount.js';
import { Nfs3Client } from '../../src/client/nfs3.js';
import type { CallOptions } from '../../src/client/rpc-base.js';
import { CreateMode, NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { CREATE } from '../../src/proto/nfs3/create.js';
import { LOOKUP } from '../../src/proto/nfs3/lookup.js';
import type { Fattr3, FileHandle, Sattr3 } from '../../src/proto/nfs3/types.js';
import { NfsServer } from '../../src/server/nfs-server.js';
import { assertNothingHeld } from '../helpers/fd-tracker.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/test-server.js';

export type BackendKind = 'memory' | 'local';
export const BACKENDS: readonly BackendKind[] = ['memory', 'local'];

export const HOST = '127.0.0.1';

/** Root of the client machine, not squashed: the export options of most groups say noRootSquash. */
export const ROOT = authSys({ uid: 0, gid: 0 });
/** An ordinary user. */
export const USER = authSys({ uid: 1000, gid: 1000 });
export const as = (auth: ReturnType<typeof authSys>): CallOptions => ({ auth });

export interface E2e {
  readonly kind: BackendKind;
  readonly t: TestServer;
  readonly nfs: Nfs3Client;
  readonly mount: MountClient;
  /** The export's root handle, from MNT. */
  readonly root: FileHandle;
  /** A new, empty, world-writable directory for one test. */
  fresh(): Promise<FileHandle>;
  /** Creates a regular file (UNCHECKED) with optional contents; returns its handle. */
  file(dir: FileHandle, name: string, data?: Buffer | string, attrs?: Sattr3): Promise<FileHandle>;
  lookup(dir: FileHandle, name: string): Promise<FileHandle>;
  getattr(fh: FileHandle): Promise<Fattr3>;
  /** Closes whatever the backend caches on its storage (the local backend's descriptors). */
  release(): Promise<void>;
}

export interface GroupOptions {
  /** Default { noRootSquash: true }: tests act as root unless they pick another identity. */
  exportOptions?: TestServerOptions['exportOptions'];
}

let dirCounter = 0;

/**
 * Registers `body` once per backend, each under its own describe with its own
 * server. For the local backend, after the group: release, then nothing may
 * be left open on the export.
 */
export function forEachBackend(title: string, body: (env: () => E2e, kind: BackendKind) => void, opts: GroupOptions = {}): void {
  for (const kind of BACKENDS) {
    describe(`${title} [${kind}]`, () => {
      let env: E2e | undefined;
      before(async () => {
        env = await openE2e(kind, opts);
      });
      after(async () => {
        if (!env) return;
        await env.nfs.close();
        await env.mount.close();
        if (kind === 'local') {
          await env.release();
          assertNothingHeld(env.t.dir, `after "${title}"`);
        }
        await env.t.stop();
      });
      body(() => {
        assert.ok(env, 'server not started');
        return env;
      }, kind);
    });
  }
}

export async function openE2e(kind: BackendKind, opts: GroupOptions & { stateDir?: string; dir?: string } = {}): Promise<E2e> {
  const t = await startTestServer({
    backend: kind,
    exportOptions: opts.exportOptions ?? { noRootSquash: true },
    ...(opts.stateDir !== undefined && { stateDir: opts.stateDir }),
    ...(opts.dir !== undefined && { dir: opts.dir }),
  });
  const nfs = await Nfs3Client.connect({ host: HOST, port: t.port, strictReplies: true, auth: ROOT });
  const mount = await MountClient.connect({ host: HOST, port: t.port, strictReplies: true, auth: ROOT });
  const root = (await mount.mnt(t.exportPath)).fhandle;
  const e: E2e = {
    kind,
    t,
    nfs,
    mount,
    root,
    async fresh() {
      const name = `t${process.pid}-${++dirCounter}`;
      const res = await nfs.mkdir({ where: { dir: root, name: Buffer.from(name) }, attributes: { mode: 0o777 } });
      assert.ok(res.obj);
      return Buffer.from(res.obj);
    },
    async file(dir, name, data, attrs = { mode: 0o644 }) {
      const res = await nfs.ok(CREATE, { where: { dir, name: Buffer.from(name) }, how: { mode: CreateMode.UNCHECKED, objAttributes: attrs } });
      assert.ok(res.obj);
      const fh = Buffer.from(res.obj);
      if (data !== undefined && data.length > 0) {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        await nfs.write({ file: fh, offset: 0n, count: bytes.length, stable: StableHow.FILE_SYNC, data: bytes });
      }
      return fh;
    },
    async lookup(dir, name) {
      const res = await nfs.ok(LOOKUP, { what: { dir, name: Buffer.from(name) } });
      return Buffer.from(res.object);
    },
    async getattr(fh) {
      return (await nfs.getattr({ object: fh })).objAttributes;
    },
    async release() {
      await t.server.exports.byPath(t.exportPath)!.backend.release();
    },
  };
  return e;
}

/** Asserts the status of a raw result union and returns it narrowed to a failure. */
export function expectStatus<R extends { status: NfsStat3 }>(res: R, status: NfsStat3, what = ''): R {
  assert.equal(NfsStat3[res.status], NfsStat3[status], `${what} status`);
  return res;
}

/** A copy of `fh` with one byte flipped (in the MAC or the body: either must be refused). */
export function forge(fh: FileHandle, at = fh.length - 1): FileHandle {
  const f = Buffer.from(fh);
  f[at] = f[at]! ^ 0x01;
  return f;
}

export const name = (s: string): Buffer => Buffer.from(s);

/** nfstime3 as nanoseconds, for ordering. */
export const ns = (t: { seconds: number; nseconds: number }): bigint => BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nseconds);

/**
 * One server with three exports: /rw and /ro (read-only) share one backend,
 * so the read-only view sees what /rw made; /other is a second backend (for
 * XDEV).
 */
export interface MultiExport {
  server: NfsServer;
  nfs: Nfs3Client;
  rw: FileHandle;
  ro: FileHandle;
  other: FileHandle;
  stop(): Promise<void>;
}

export async function openMultiExport(kind: BackendKind): Promise<MultiExport> {
  const temps: string[] = [];
  const tmp = async (prefix: string): Promise<string> => {
    const d = await realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
    await chmod(d, 0o777);
    temps.push(d);
    return d;
  };
  const backendFor = async (): Promise<Backend> =>
    kind === 'memory' ? new MemoryBackend({ rootMode: 0o777 }) : createLocalBackend({ path: await tmp('nfs-e2e-multi-') });
  const shared = await backendFor();
  const other = await backendFor();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'nfs-e2e-state-'));
  temps.push(stateDir);
  const server = new NfsServer({
    host: HOST,
    port: 0,
    portmap: false,
    stateDir,
    exports: [
      { path: '/rw', backend: shared, options: { noRootSquash: true } },
      { path: '/ro', backend: shared, options: { noRootSquash: true, readOnly: true } },
      { path: '/other', backend: other, options: { noRootSquash: true } },
    ],
  });
  await server.start();
  const port = server.address().port;
  const nfs = await Nfs3Client.connect({ host: HOST, port, strictReplies: true, auth: ROOT });
  const mount = await MountClient.connect({ host: HOST, port, strictReplies: true, auth: ROOT });
  const [rw, ro, oth] = [(await mount.mnt('/rw')).fhandle, (await mount.mnt('/ro')).fhandle, (await mount.mnt('/other')).fhandle];
  await mount.close();
  return {
    server,
    nfs,
    rw,
    ro,
    other: oth,
    async stop() {
      await nfs.close();
      await shared.release();
      await other.release();
      for (const d of temps.slice(0, kind === 'local' ? 2 : 0)) assertNothingHeld(d, 'after the multi-export tests');
      await server.stop();
      for (const d of temps) await rm(d, { recursive: true, force: true });
    },
  };
}
