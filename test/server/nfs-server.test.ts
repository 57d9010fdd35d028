import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MemoryBackend } from '../../src/backend/memory/index.js';
import { MountClient } from '../../src/client/mount.js';
import { Nfs3Client } from '../../src/client/nfs3.js';
import { PortmapClient } from '../../src/client/portmap.js';
import { connectTransport, ProgramClient } from '../../src/client/program-client.js';
import { Dispatcher } from '../../src/net/dispatcher.js';
import { TcpTransport } from '../../src/net/tcp.js';
import { UdpTransport } from '../../src/net/udp.js';
import { createPortmapProgram } from '../../src/programs/portmap/index.js';
import { PortmapRegistry } from '../../src/programs/portmap/registry.js';
import { IPPROTO_TCP, IPPROTO_UDP, PMAP_PROGRAM } from '../../src/proto/portmap/constants.js';
import { silentLogger } from '../../src/server/log.js';
import { NfsServer } from '../../src/server/nfs-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const MOUNT_PROGRAM = 100005;
const NFS_PROGRAM = 100003;

async function nullCall(port: number, prog: number, vers: number, transport: 'tcp' | 'udp'): Promise<void> {
  const c = new ProgramClient(await connectTransport({ host: '127.0.0.1', port, transport }), prog, vers);
  try {
    await c.null();
  } finally {
    await c.close();
  }
}

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'nfs-node-test-'));
}

describe('NfsServer', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  test('MOUNT v1, MOUNT v3 and NFS v3 answer NULL on one port, over TCP and UDP', async () => {
    for (const transport of ['tcp', 'udp'] as const) {
      await nullCall(t.port, MOUNT_PROGRAM, 1, transport);
      await nullCall(t.port, MOUNT_PROGRAM, 3, transport);
      await nullCall(t.port, NFS_PROGRAM, 3, transport);
    }
    const addr = t.server.address();
    assert.equal(addr.udp, true);
    assert.equal(addr.portmap, undefined);
  });

  test('the portmapper is not served on the NFS port', async () => {
    await assert.rejects(nullCall(t.port, PMAP_PROGRAM, 2, 'tcp'), /PROG_UNAVAIL|unavail/i);
  });

  test('mount, then a call on the export is recorded as activity of that client', async () => {
    const m = await MountClient.connect({ host: '127.0.0.1', port: t.port });
    const { fhandle } = await m.mnt(t.exportPath);
    const exp = t.server.exports.byPath(t.exportPath)!;
    const before = t.server.activity(exp)?.calls ?? 0;
    const nfs = await Nfs3Client.connect({ host: '127.0.0.1', port: t.port });
    await nfs.getattr({ object: fhandle });
    const a = t.server.activity(exp);
    assert.ok(a);
    assert.ok(a.calls > before);
    assert.ok(a.clients.has('127.0.0.1'));
    await m.close();
    await nfs.close();
  });
});

describe('NfsServer state', () => {
  /** Starts a server on `stateDir`, mounts its export, stops it: the root handle it gave out. */
  async function rootHandle(stateDir: string): Promise<Buffer> {
    // A backend whose root handle outlives it (as the local backend's does): only the server's framing can differ.
    const backend = new MemoryBackend();
    backend.root = async () => Buffer.from('persistent-root!');
    const server = new NfsServer({ exports: [{ path: '/e', backend }], host: '127.0.0.1', port: 0, portmap: false, stateDir });
    await server.start();
    const m = await MountClient.connect({ host: '127.0.0.1', port: server.address().port });
    try {
      return (await m.mnt('/e')).fhandle;
    } finally {
      await m.close();
      await server.stop();
    }
  }

  test('the handle key is created 0600 once and reused: handles survive a restart', async () => {
    const stateDir = await tempDir();
    const other = await tempDir();
    try {
      const h1 = await rootHandle(stateDir);
      const key = await readFile(path.join(stateDir, 'handle-key'));
      assert.equal(key.length, 32);
      assert.equal((await stat(path.join(stateDir, 'handle-key'))).mode & 0o777, 0o600);
      assert.equal((await stat(stateDir)).mode & 0o777, 0o700);
      assert.deepEqual(await rootHandle(stateDir), h1);
      assert.deepEqual(await readFile(path.join(stateDir, 'handle-key')), key);
      // The key is what keeps them: another state directory gives another handle.
      assert.notDeepEqual(await rootHandle(other), h1);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
      await rm(other, { recursive: true, force: true });
    }
  });

  test('stop() flushes and closes every backend and saves the mount list', async () => {
    const stateDir = await tempDir();
    try {
      const backend = new MemoryBackend();
      const calls: string[] = [];
      const flush = backend.flush.bind(backend);
      const close = backend.close.bind(backend);
      backend.flush = async () => {
        calls.push('flush');
        await flush();
      };
      backend.close = async () => {
        calls.push('close');
        await close();
      };
      const server = new NfsServer({
        exports: [
          { path: '/a', backend },
          { path: '/b', backend, options: { readOnly: true } },
        ],
        host: '127.0.0.1',
        port: 0,
        portmap: false,
        stateDir,
        log: silentLogger,
      });
      await server.start();
      const m = await MountClient.connect({ host: '127.0.0.1', port: server.address().port });
      await m.mnt('/b');
      await m.close();
      await server.stop();
      assert.deepEqual(calls, ['flush', 'close'], 'a backend shared by two exports is closed once, after a flush');
      const rmtab = JSON.parse(await readFile(path.join(stateDir, 'rmtab.json'), 'utf8')) as { entries: { path: string }[] };
      assert.deepEqual(
        rmtab.entries.map((e) => e.path),
        ['/b'],
      );
      await assert.rejects(nullCall(server.address().port, NFS_PROGRAM, 3, 'tcp'));
      await server.stop(); // idempotent
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  test('a start that fails (port taken) releases what it took', async () => {
    const a = await startTestServer();
    try {
      await assert.rejects(startTestServer({ server: { port: a.port } }), { code: 'EADDRINUSE' });
    } finally {
      await a.stop();
    }
  });
});

describe('NfsServer portmapper', () => {
  test('built in: serves its registry listing MOUNT and NFS on the server port', async () => {
    const t = await startTestServer({ server: { portmap: { port: 0 } } });
    try {
      const pm = t.server.address().portmap;
      assert.ok(pm && pm.kind === 'builtin');
      assert.notEqual(pm.port, t.port);
      const c = await PortmapClient.connect({ host: '127.0.0.1', port: pm.port });
      const dump = await c.dump();
      for (const [prog, vers] of [
        [MOUNT_PROGRAM, 1],
        [MOUNT_PROGRAM, 3],
        [NFS_PROGRAM, 3],
      ] as const) {
        for (const prot of [IPPROTO_TCP, IPPROTO_UDP]) {
          assert.ok(
            dump.some((m) => m.prog === prog && m.vers === vers && m.prot === prot && m.port === t.port),
            `${prog} v${vers} prot ${prot} missing`,
          );
        }
      }
      assert.equal(await c.getport(NFS_PROGRAM, 3, IPPROTO_UDP), t.port);
      await c.close();
      await nullCall(pm.port, PMAP_PROGRAM, 2, 'udp');
    } finally {
      await t.stop();
    }
  });

  test('port taken by a system portmapper: registers there, and unregisters on stop', async () => {
    // A stand-in for the system's rpcbind.
    const registry = new PortmapRegistry();
    const d = new Dispatcher([createPortmapProgram(registry)], silentLogger);
    const tcp = new TcpTransport(d, { log: silentLogger });
    const port = await tcp.listen(0, '127.0.0.1');
    const udp = new UdpTransport(d, { log: silentLogger });
    await udp.bind(port, '127.0.0.1');
    try {
      const t = await startTestServer({ server: { portmap: { port } } });
      assert.deepEqual(t.server.address().portmap, { kind: 'system', port });
      assert.equal(registry.getport(NFS_PROGRAM, 3, IPPROTO_TCP), t.port);
      assert.equal(registry.getport(MOUNT_PROGRAM, 1, IPPROTO_UDP), t.port);
      await t.stop();
      assert.deepEqual(registry.dump(), []);
    } finally {
      await tcp.close(0);
      await udp.close(0);
    }
  });
});
