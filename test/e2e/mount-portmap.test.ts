/** The MOUNT program (v3 and v1 NULL) and the built-in portmapper, end to end. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MountClient, MountError } from '../../src/client/mount.js';
import { Nfs3Client } from '../../src/client/nfs3.js';
import { PortmapClient } from '../../src/client/portmap.js';
import { ProgramClient, connectTransport } from '../../src/client/program-client.js';
import { MOUNT_PROGRAM, MOUNT_V1, MOUNT_V3, MountStat3 } from '../../src/proto/mount/constants.js';
import { NFS_PROGRAM, NFS_V3, Ftype3 } from '../../src/proto/nfs3/constants.js';
import { IPPROTO_TCP, IPPROTO_UDP, PMAP_PROGRAM, PMAP_V2 } from '../../src/proto/portmap/constants.js';
import { AuthFlavor } from '../../src/rpc/constants.js';
import { assertNothingHeld } from '../helpers/fd-tracker.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { BACKENDS, HOST, ROOT } from './harness.js';

for (const kind of BACKENDS) {
  describe(`MOUNT [${kind}]`, () => {
    let t: TestServer;
    let m: MountClient;
    let nfs: Nfs3Client;
    before(async () => {
      t = await startTestServer({ backend: kind, exportOptions: { noRootSquash: true } });
      m = await MountClient.connect({ host: HOST, port: t.port, strictReplies: true, auth: ROOT });
      nfs = await Nfs3Client.connect({ host: HOST, port: t.port, strictReplies: true, auth: ROOT });
    });
    after(async () => {
      await m.close();
      await nfs.close();
      if (kind === 'local') {
        await t.server.exports.byPath(t.exportPath)!.backend.release();
        assertNothingHeld(t.dir, 'after the MOUNT tests');
      }
      await t.stop();
    });

    test('NULL of MOUNT v1, MOUNT v3 and NFS v3 over TCP and UDP', async () => {
      for (const transport of ['tcp', 'udp'] as const) {
        for (const [prog, vers] of [
          [MOUNT_PROGRAM, MOUNT_V1],
          [MOUNT_PROGRAM, MOUNT_V3],
          [NFS_PROGRAM, NFS_V3],
        ] as const) {
          const c = new ProgramClient(await connectTransport({ host: HOST, port: t.port, transport, strictReplies: true }), prog, vers);
          await c.null();
          await c.close();
        }
      }
    });

    test('MNT of the export: the root handle, AUTH_SYS offered; DUMP lists it; UMNT removes it', async () => {
      const res = await m.mnt(t.exportPath);
      assert.ok(res.authFlavors.includes(AuthFlavor.AUTH_SYS));
      assert.ok(res.fhandle.length <= 64 && res.fhandle.length % 4 === 0, `handle of ${res.fhandle.length} bytes`);
      assert.equal((await nfs.getattr({ object: res.fhandle })).objAttributes.type, Ftype3.DIR);
      assert.ok((await m.dump()).some((b) => b.directory === t.exportPath && b.hostname.length > 0));
      await m.umnt(t.exportPath);
      assert.ok(!(await m.dump()).some((b) => b.directory === t.exportPath));
    });

    test('MNT of a subdirectory gives that directory; of a file -> NOTDIR; of an unknown path -> NOENT', async () => {
      const root = (await m.mnt(t.exportPath)).fhandle;
      const sub = await nfs.mkdir({ where: { dir: root, name: Buffer.from('sub') }, attributes: { mode: 0o755 } });
      await nfs.create({ where: { dir: Buffer.from(sub.obj!), name: Buffer.from('file') }, how: { mode: 0, objAttributes: {} } });
      const res = await m.mnt(`${t.exportPath}/sub`);
      assert.equal((await nfs.getattr({ object: res.fhandle })).objAttributes.fileid, sub.objAttributes?.fileid);
      await assert.rejects(m.mnt(`${t.exportPath}/sub/file`), (err: MountError) => err.status === MountStat3.NOTDIR);
      await assert.rejects(m.mnt(`${t.exportPath}/sub/missing`), (err: MountError) => err.status === MountStat3.NOENT);
      await assert.rejects(m.mnt('/not/exported'), (err: MountError) => err.status === MountStat3.NOENT);
      await m.umntall();
      assert.deepEqual(await m.dump(), []);
    });

    test('EXPORT lists the export', async () => {
      const list = await m.exports();
      assert.deepEqual(
        list.map((x) => x.dir),
        [t.exportPath],
      );
    });
  });
}

describe('portmapper', () => {
  let t: TestServer;
  let pm: PortmapClient;
  before(async () => {
    t = await startTestServer({ server: { portmap: { port: 0 } } });
    const addr = t.server.address();
    assert.equal(addr.portmap?.kind, 'builtin');
    pm = await PortmapClient.connect({ host: HOST, port: addr.portmap!.port, strictReplies: true });
  });
  after(async () => {
    await pm.close();
    await t.stop();
  });

  test('NULL, GETPORT of NFS and MOUNT over TCP and UDP, 0 for an unknown program, DUMP', async () => {
    await pm.null();
    for (const prot of [IPPROTO_TCP, IPPROTO_UDP]) {
      assert.equal(await pm.getport(NFS_PROGRAM, NFS_V3, prot), t.port);
      assert.equal(await pm.getport(MOUNT_PROGRAM, MOUNT_V3, prot), t.port);
      assert.equal(await pm.getport(MOUNT_PROGRAM, MOUNT_V1, prot), t.port);
    }
    assert.equal(await pm.getport(0x2000_0001, 1), 0);
    // As rpcbind: another version of a registered program answers its port (the client learns the versions from PROG_MISMATCH).
    assert.equal(await pm.getport(NFS_PROGRAM, 4), t.port);
    const dump = await pm.dump();
    assert.ok(dump.some((x) => x.prog === NFS_PROGRAM && x.vers === NFS_V3 && x.prot === IPPROTO_TCP && x.port === t.port));
    assert.ok(dump.some((x) => x.prog === PMAP_PROGRAM && x.vers === PMAP_V2));
  });

  test('over UDP too', async () => {
    const u = await PortmapClient.connect({ host: HOST, port: t.server.address().portmap!.port, transport: 'udp', strictReplies: true });
    try {
      assert.equal(await u.getport(NFS_PROGRAM, NFS_V3, IPPROTO_UDP), t.port);
    } finally {
      await u.close();
    }
  });
});

