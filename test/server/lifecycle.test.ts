/**
 * The export lifecycle through a whole server on in-memory backends: UMNT
 * releases an export only when its last mount is gone, eject refuses calls
 * (STALE or JUKEBOX), attach serves again, MNT is refused while ejected or
 * absent, status tells the truth, and the control socket and CLI reach it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { MemoryBackend } from '../../src/backend/memory/index.js';
import { main } from '../../src/cli/cli.js';
import type { CliIo } from '../../src/cli/command.js';
import { MountClient, MountError } from '../../src/client/mount.js';
import { NfsClientError, Nfs3Client } from '../../src/client/nfs3.js';
import { NfsFs } from '../../src/client/fs.js';
import { MountStat3 } from '../../src/proto/mount/constants.js';
import { NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { askServer, type ExportStatus } from '../../src/server/admin.js';
import type { WhileDetached } from '../../src/server/exports.js';
import { NfsServer, type RemovalOptions } from '../../src/server/nfs-server.js';

const HOST = '127.0.0.1';

/** A memory backend that counts release() and can pretend its storage is gone. */
class WatchedBackend extends MemoryBackend {
  releases = 0;
  releasing = false;
  isPresent = true;
  override async release(): Promise<void> {
    this.releasing = true;
    // Slow on purpose: UMNT must still wait for it before replying.
    await sleep(30);
    await super.release();
    this.releases++;
    this.releasing = false;
  }
  async present(): Promise<boolean> {
    return this.isPresent;
  }
}

interface Fixture {
  server: NfsServer;
  port: number;
  stateDir: string;
  a: WatchedBackend;
  b: WatchedBackend;
}

async function start(whileDetachedA: WhileDetached = 'stale', removal: Partial<RemovalOptions> = {}): Promise<Fixture> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-lifecycle-'));
  const a = new WatchedBackend();
  const b = new WatchedBackend();
  const server = new NfsServer({
    exports: [
      { path: '/a', backend: a, options: { whileDetached: whileDetachedA, noRootSquash: true } },
      { path: '/b', backend: b, options: { noRootSquash: true } },
    ],
    host: HOST,
    port: 0,
    portmap: false,
    udp: false,
    stateDir,
    removal,
  });
  await server.start();
  return { server, port: server.address().port, stateDir, a, b };
}

async function stop(f: Fixture): Promise<void> {
  await f.server.stop();
  await rm(f.stateDir, { recursive: true, force: true });
}

function statusOf(all: ExportStatus[], p: string): ExportStatus {
  const s = all.find((e) => e.path === p);
  assert.ok(s, `status lists ${p}`);
  return s;
}

async function rejectsWith(p: Promise<unknown>, status: NfsStat3): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof NfsClientError, String(err));
    assert.equal(NfsStat3[err.status], NfsStat3[status]);
    return true;
  });
}

async function refusedMount(m: MountClient, p: string): Promise<void> {
  await assert.rejects(m.mnt(p), (err: unknown) => {
    assert.ok(err instanceof MountError, String(err));
    assert.equal(MountStat3[err.status], 'NOENT');
    return true;
  });
}

describe('export lifecycle', () => {
  let f: Fixture;
  let m: MountClient;
  let nfs: Nfs3Client;
  beforeEach(async () => {
    f = await start('hold');
    m = await MountClient.connect({ host: HOST, port: f.port });
    nfs = await Nfs3Client.connect({ host: HOST, port: f.port });
  });
  afterEach(async () => {
    await m.close();
    await nfs.close();
    await stop(f);
  });

  test('UMNT releases an export only when its last mount is gone, and before replying', async () => {
    const root = (await m.mnt('/a')).fhandle;
    const fs = await NfsFs.fromClient(nfs, root);
    await fs.mkdir('/sub');
    await m.mnt('/a/sub');
    await m.mnt('/b');
    await m.umnt('/a/sub');
    assert.equal(f.a.releases, 0, '/a is still mounted');
    await m.umnt('/b');
    assert.equal(f.a.releases, 0, 'unmounting /b does not release /a');
    assert.equal(f.b.releases, 1, '/b released by its last UMNT');
    await m.umnt('/a');
    assert.equal(f.a.releases, 1, 'released by the time the UMNT reply came');
    assert.equal(f.a.releasing, false);
  });

  test('UMNTALL releases every export the caller had mounted', async () => {
    await m.mnt('/a');
    await m.mnt('/b');
    await m.umntall();
    assert.equal(f.a.releases, 1);
    assert.equal(f.b.releases, 1);
    assert.deepEqual(await m.dump(), []);
  });

  test("eject answers JUKEBOX with 'hold', STALE with 'stale'; MNT refused; other exports unaffected; attach restores", async () => {
    const rootA = (await m.mnt('/a')).fhandle;
    const rootB = (await m.mnt('/b')).fhandle;
    const ra = await f.server.eject('/a');
    assert.equal(ra.ok, true);
    assert.equal(ra.flushed, true);
    assert.equal(ra.drained, true);
    assert.deepEqual(ra.holders, []);
    await rejectsWith(nfs.getattr({ object: rootA }), NfsStat3.JUKEBOX);
    await nfs.getattr({ object: rootB });
    await refusedMount(m, '/a');
    await f.server.eject('/b');
    await rejectsWith(nfs.getattr({ object: rootB }), NfsStat3.STALE);
    assert.equal(statusOf(await f.server.status(), '/a').state, 'detached');

    await f.server.attach('/a');
    await nfs.getattr({ object: rootA });
    await m.mnt('/a');
    assert.equal(statusOf(await f.server.status(), '/a').state, 'attached');
    await rejectsWith(nfs.getattr({ object: rootB }), NfsStat3.STALE);
  });

  test('absent storage: MNT refused and state absent; attach refused; back when present again', async () => {
    await m.mnt('/a');
    const ejected = await f.server.eject('/a');
    assert.equal(ejected.ok, true);
    f.a.isPresent = false;
    await assert.rejects(f.server.attach('/a'), /not mounted/);
    assert.equal(statusOf(await f.server.status(), '/a').state, 'detached');
    f.a.isPresent = true;
    await f.server.attach('/a');
    f.a.isPresent = false;
    await refusedMount(m, '/a');
    assert.equal(statusOf(await f.server.status(), '/a').state, 'absent');
    f.a.isPresent = true;
    await m.mnt('/a');
    assert.equal(statusOf(await f.server.status(), '/a').state, 'attached');
  });

  test('status: clients with times, activity, descriptors, in-flight and unmountable', async () => {
    const before = Date.now();
    const root = (await m.mnt('/a')).fhandle;
    await nfs.getattr({ object: root });
    const all = await f.server.status();
    assert.deepEqual(all.map((e) => e.path).sort(), ['/a', '/b']);
    const a = statusOf(all, '/a');
    assert.equal(a.state, 'attached');
    assert.equal(a.whileDetached, 'hold');
    assert.equal(a.clients.length, 1);
    assert.equal(a.clients[0]!.host, HOST);
    assert.equal(a.clients[0]!.path, '/a');
    assert.ok(a.clients[0]!.mountedAt >= before);
    assert.ok(a.clients[0]!.lastSeen >= a.clients[0]!.mountedAt);
    assert.ok(a.activity && a.activity.calls >= 1);
    assert.deepEqual(a.activity.clients.map((c) => c.address), [HOST]);
    assert.equal(a.openDescriptors, 0);
    assert.equal(a.uncommittedBytes, 0);
    assert.equal(a.inFlight, 0);
    assert.equal(a.unmountable, true);
    const b = statusOf(all, '/b');
    assert.deepEqual(b.clients, []);
    assert.equal(b.activity, null);
  });

  test('NFS calls refresh the client’s mount entry', async () => {
    const root = (await m.mnt('/a')).fhandle;
    const first = statusOf(await f.server.status(), '/a').clients[0]!.lastSeen;
    await sleep(20);
    await nfs.getattr({ object: root });
    const later = statusOf(await f.server.status(), '/a').clients[0]!.lastSeen;
    assert.ok(later > first, `lastSeen ${later} after ${first}`);
  });

  test('the control socket and the CLI: status, eject (exit 0 when nothing held), attach', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
    const all = (await askServer(f.stateDir, 'status')) as ExportStatus[];
    assert.equal(statusOf(all, '/a').state, 'attached');
    assert.equal(await main(['eject', '/a', '--state-dir', f.stateDir], io), 0, err.join('\n'));
    assert.match(out.join('\n'), /\/a: ejected/);
    assert.equal(await main(['status', '--state-dir', f.stateDir], io), 0, err.join('\n'));
    assert.match(out.join('\n'), /\/a\s+detached \(hold\)/);
    assert.equal(await main(['status', '--json', '--state-dir', f.stateDir], io), 0);
    assert.equal(await main(['attach', '/a', '--state-dir', f.stateDir], io), 0, err.join('\n'));
    assert.equal(f.server.exports.byPath('/a') !== undefined, true);
    assert.equal(statusOf(await f.server.status(), '/a').state, 'attached');
    assert.equal(await main(['eject', '/nope', '--state-dir', f.stateDir], io), 1);
    assert.match(err.join('\n'), /\/nope is not exported/);
  });
});

describe('mount list expiry', () => {
  let f: Fixture;
  after(() => stop(f));

  test('entries of clients not heard from expire', async () => {
    f = await start('stale', { mountExpiryMs: 100 });
    const m = await MountClient.connect({ host: HOST, port: f.port });
    try {
      await m.mnt('/a');
      assert.equal((await m.dump()).length, 1);
      const deadline = Date.now() + 10_000;
      while ((await m.dump()).length > 0) {
        assert.ok(Date.now() < deadline, 'the entry never expired');
        await sleep(50);
      }
    } finally {
      await m.close();
    }
  });
});
