import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { NfsFs } from '../../src/client/fs.js';
import { MountClient, MountError } from '../../src/client/mount.js';
import { Nfs3Client, NfsClientError } from '../../src/client/nfs3.js';
import { PortmapClient } from '../../src/client/portmap.js';
import type { RpcTransport } from '../../src/client/rpc-base.js';
import { RpcClient } from '../../src/client/rpc-client.js';
import { MountStat3, MOUNT_PROGRAM, MOUNT_V3 } from '../../src/proto/mount/index.js';
import { Ftype3, NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { IPPROTO_TCP } from '../../src/proto/portmap/index.js';
import { FakeNfsServer } from '../helpers/fake-nfs-server.js';

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed) & 0xff;
  return b;
}

describe('NfsFs against an in-memory server', () => {
  let server: FakeNfsServer;
  let fs: NfsFs;

  before(async () => {
    server = await FakeNfsServer.start('/export');
    // Port mapper, MOUNT and NFS all live on the fake's one port.
    fs = await NfsFs.mount({ host: '127.0.0.1', portmapPort: server.port, path: '/export' });
  });
  after(async () => {
    await fs.unmount();
    assert.deepEqual(server.umounts, ['/export'], 'unmount sends UMNT for the mounted path');
    await server.close();
  });

  test('writeFile then readFile round-trips a multi-chunk file', async () => {
    const data = pattern(50_000, 1);
    await fs.writeFile('/a.bin', data);
    assert.ok(server.at('a.bin')!.stable.equals(data), 'committed to stable storage');
    assert.ok((await fs.readFile('a.bin')).equals(data));
    assert.equal((await fs.stat('a.bin')).size, 50_000n);
  });

  test('writeFile resends everything when the COMMIT verifier differs from the WRITE verifiers', async () => {
    const data = pattern(40_000, 2);
    let restarts = 0;
    server.beforeCommit = () => {
      if (restarts++ === 0) server.restart();
    };
    server.calls.length = 0;
    try {
      await fs.writeFile('/resent.bin', data);
    } finally {
      server.beforeCommit = undefined;
    }
    const chunks = Math.ceil(data.length / server.wtmax);
    assert.equal(server.calls.filter((c) => c === 'WRITE').length, 2 * chunks, 'every chunk written twice');
    assert.equal(server.calls.filter((c) => c === 'COMMIT').length, 2);
    assert.ok(server.at('resent.bin')!.stable.equals(data), 'the data survived the restart');
  });

  test('readFile keeps reading past a stale size hint and stops at EOF', async () => {
    await fs.writeFile('grow.bin', pattern(10_000, 3));
    const h = (await fs.resolve('grow.bin')).handle;
    server.at('grow.bin')!.data = pattern(30_000, 4);
    assert.ok((await fs.readAll(h, 10_000)).equals(pattern(30_000, 4)));
    assert.ok((await fs.readAll(h, 100_000)).equals(pattern(30_000, 4)));
    await fs.writeFile('empty', '');
    assert.equal((await fs.readFile('empty')).length, 0);
  });

  test('createWriteStream and createReadStream move a file larger than a batch', async () => {
    const data = pattern(300_001, 5);
    const pieces = [0, 1, 4095, 70_000, 100_000, 300_001].map((end, i, a) => data.subarray(a[i - 1] ?? 0, end));
    await pipeline(Readable.from(pieces, { objectMode: false }), fs.createWriteStream('streamed.bin'));
    assert.ok(server.at('streamed.bin')!.stable.equals(data), 'all of it committed');
    const read: Buffer[] = [];
    for await (const b of fs.createReadStream('streamed.bin')) read.push(b as Buffer);
    assert.ok(Buffer.concat(read).equals(data));
    await assert.rejects(pipeline(fs.createReadStream('missing'), new PassThrough()), /NFS3ERR_NOENT/);
  });

  test('mkdir -p, readdir paging, rename, symlink, unlink, rmdir', async () => {
    await fs.mkdir('d1/d2/d3', { recursive: true });
    await fs.mkdir('d1/d2', { recursive: true });
    await assert.rejects(fs.mkdir('d1'), (e: unknown) => e instanceof NfsClientError && e.status === NfsStat3.EXIST);
    for (const n of ['x', 'y', 'z']) await fs.writeFile(`d1/d2/${n}`, n);
    const listed = await fs.readdir('d1/d2');
    assert.deepEqual(listed.map((e) => e.name).sort(), ['d3', 'x', 'y', 'z']);
    assert.ok(listed.every((e) => e.attributes && e.handle), 'READDIRPLUS gave attributes and handles');
    assert.equal(listed.find((e) => e.name === 'd3')!.attributes!.type, Ftype3.DIR);

    await fs.rename('d1/d2/x', 'd1/moved');
    assert.equal(await fs.readFile('d1/moved').then(String), 'x');
    await fs.symlink('d2/y', 'd1/link');
    assert.equal(await fs.readlink('d1/link'), 'd2/y');
    await fs.unlink('d1/link');
    await assert.rejects(fs.stat('d1/link'), (e: unknown) => e instanceof NfsClientError && e.status === NfsStat3.NOENT);
    await assert.rejects(fs.rmdir('d1/d2'), /NFS3ERR_NOTEMPTY/);
    await fs.rmdir('d1/d2/d3');
    assert.deepEqual((await fs.readdir('d1/d2')).map((e) => e.name).sort(), ['y', 'z']);
  });

  test('readdir falls back to READDIR when READDIRPLUS is not supported', async () => {
    await fs.mkdir('plain');
    for (const n of ['p', 'q', 'r', 's', 't']) await fs.writeFile(`plain/${n}`, n);
    server.readdirplusSupported = false;
    server.calls.length = 0;
    try {
      const names = (await fs.readdir('plain')).map((e) => e.name).sort();
      assert.deepEqual(names, ['p', 'q', 'r', 's', 't']);
    } finally {
      server.readdirplusSupported = true;
    }
    assert.ok(server.calls.includes('READDIRPLUS'));
    assert.equal(server.calls.filter((c) => c === 'READDIR').length, 3, 'five entries, two per page');
  });
});

describe('NfsFs bounds and failures', () => {
  test('readFile and writeFile keep at most `window` chunks in flight', async () => {
    const server = await FakeNfsServer.start();
    const inner = await RpcClient.connect({ host: '127.0.0.1', port: server.port });
    let inFlight = 0;
    let most = 0;
    const counting: RpcTransport = {
      async call(prog, vers, codec, args, opts) {
        most = Math.max(most, ++inFlight);
        try {
          return await inner.call(prog, vers, codec, args, opts);
        } finally {
          inFlight--;
        }
      },
      close: () => inner.close(),
    };
    const fs = await NfsFs.fromClient(new Nfs3Client(counting), server.handleOf(server.root), { window: 3 });
    const data = pattern(100_000, 9);
    await fs.writeFile('w', data);
    assert.equal(most, 3, 'writes');
    most = 0;
    assert.ok((await fs.readFile('w')).equals(data));
    assert.equal(most, 3, 'reads');
    // Every read-ahead fails: the first failure is reported, the others must not become unhandled rejections.
    await assert.rejects(fs.readAll(Buffer.alloc(8), 100_000), /NFS3ERR_STALE/);
    await fs.unmount();
    await server.close();
  });

  test('mount of a path the server refuses throws MountError', async () => {
    const server = await FakeNfsServer.start('/export');
    await assert.rejects(
      NfsFs.mount({ host: '127.0.0.1', port: server.port, mountPort: server.port, path: '/other' }),
      (e: unknown) => e instanceof MountError && e.status === MountStat3.NOENT,
    );
    await server.close();
  });
});

describe('typed clients', () => {
  test('Nfs3Client: named methods throw NfsClientError with the failure arm; call() returns it', async () => {
    const server = await FakeNfsServer.start();
    const nfs = await Nfs3Client.connect({ host: '127.0.0.1', port: server.port });
    const bogus = Buffer.alloc(8);
    const raw = await nfs.call(GETATTR, { object: bogus });
    assert.equal(raw.status, NfsStat3.STALE);
    const err = await nfs.getattr({ object: bogus }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NfsClientError);
    assert.equal(err.status, NfsStat3.STALE);
    assert.equal(err.procedure, 'GETATTR');
    assert.match(err.message, /NFS3ERR_STALE/);
    const ok = await nfs.getattr({ object: server.handleOf(server.root) });
    assert.equal(ok.objAttributes.type, Ftype3.DIR);
    await nfs.close();
    await server.close();
  });

  test('MountClient: mnt returns the root handle or throws MountError; PortmapClient.getport', async () => {
    const server = await FakeNfsServer.start('/srv');
    const pmap = await PortmapClient.connect({ host: '127.0.0.1', port: server.port });
    assert.equal(await pmap.getport(MOUNT_PROGRAM, MOUNT_V3, IPPROTO_TCP), server.port);
    await pmap.close();
    const m = await MountClient.connect({ host: '127.0.0.1', port: server.port });
    await m.null();
    const ok = await m.mnt('/srv');
    assert.ok(ok.fhandle.equals(server.handleOf(server.root)));
    assert.deepEqual(ok.authFlavors, [1]);
    await assert.rejects(m.mnt('/nope'), (e: unknown) => e instanceof MountError && e.status === MountStat3.NOENT && /MNT3ERR_NOENT/.test(e.message));
    await m.umnt('/srv');
    assert.deepEqual(server.umounts, ['/srv']);
    await m.close();
    await server.close();
  });
});
