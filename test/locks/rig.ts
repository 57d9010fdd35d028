/**
 * A server with locking, two client hosts (127.0.0.1 and 127.0.0.2, the
 * latter running a portmapper, a lock manager and a status monitor for the
 * server's callbacks), and files to lock.
 */
import { authSys } from '../../src/client/auth.js';
import { MountClient } from '../../src/client/mount.js';
import { Nfs3Client } from '../../src/client/nfs3.js';
import { NlmClient, type NlmVersion } from '../../src/client/nlm.js';
import { NsmClient } from '../../src/client/nsm.js';
import { CreateMode } from '../../src/proto/nfs3/constants.js';
import type { NlmLock } from '../../src/proto/nlm/types.js';
import type { LockOptions } from '../../src/server/nfs-server.js';
import { startPeerHost, type PeerHost } from '../helpers/lock-peer.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/test-server.js';

const ROOT = authSys({ uid: 0, gid: 0 });

export interface LockRig {
  t: TestServer;
  peer: PeerHost;
  root: Buffer;
  nfs: Nfs3Client;
  mount: MountClient;
  /** Host A, from 127.0.0.1 (nothing answers callbacks there). */
  a: NlmClient;
  /** Host B, from 127.0.0.2, where the peer host answers callbacks. */
  b: NlmClient;
  nsm: NsmClient;
  file(name: string): Promise<Buffer>;
  client(localAddress: string, vers?: NlmVersion): Promise<NlmClient>;
  stop(): Promise<void>;
}

export async function lockRig(
  opts: { locks?: Partial<LockOptions>; stateDir?: string; server?: TestServerOptions['server']; backend?: 'memory' | 'local'; dir?: string } = {},
): Promise<LockRig> {
  const peer = await startPeerHost();
  const t = await startTestServer({
    backend: opts.backend,
    dir: opts.dir,
    stateDir: opts.stateDir,
    exportOptions: { noRootSquash: true },
    server: {
      ...opts.server,
      locks: { peerCalls: { portmapPort: peer.port, timeoutMs: 2000 }, name: 'nfs-server', notifyDelaysMs: [0, 200, 500], ...opts.locks },
    },
  });
  const base = { host: '127.0.0.1', port: t.port, auth: ROOT, strictReplies: true };
  const mount = await MountClient.connect({ ...base, localAddress: '127.0.0.1' });
  const root = (await mount.mnt(t.exportPath)).fhandle;
  const nfs = await Nfs3Client.connect(base);
  const clients: Array<{ close(): Promise<void> }> = [mount, nfs];
  const client = async (localAddress: string, vers?: NlmVersion) => {
    const c = await NlmClient.connect({ ...base, localAddress, ...(vers && { version: vers }) });
    clients.push(c);
    return c;
  };
  const rig: LockRig = {
    t,
    peer,
    root,
    nfs,
    mount,
    a: await client('127.0.0.1'),
    b: await client('127.0.0.2'),
    nsm: await NsmClient.connect({ ...base, localAddress: '127.0.0.1' }),
    async file(name) {
      const res = await nfs.create({
        where: { dir: root, name: Buffer.from(name) },
        how: { mode: CreateMode.UNCHECKED, objAttributes: {} },
      });
      if (!res.obj) throw new Error('CREATE returned no handle');
      return Buffer.from(res.obj);
    },
    client,
    async stop() {
      await Promise.all([...clients, rig.nsm].map((c) => c.close().catch(() => {})));
      await t.stop();
      await peer.stop();
    },
  };
  clients.push(rig.nsm);
  return rig;
}

/** An nlm4_lock of host `callerName`, process `svid`. */
export function alock(callerName: string, svid: number, fh: Buffer, offset = 0n, length = 0n): NlmLock {
  return { callerName, fh, oh: Buffer.from(`${svid}@${callerName}`), svid, offset, length };
}

export const cookie = (n: number): Buffer => Buffer.from([0, 0, 0, n]);

/** Polls `check` until it is true (state changes made by background work, e.g. callbacks). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
