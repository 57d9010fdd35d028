/**
 * Host names in exports end to end: the server's own resolver (reverse
 * lookups through c-ares and getnameinfo, each name confirmed forward), this
 * machine's /etc/hosts, and clients on real sockets bound to loopback
 * addresses. 127.0.0.1 is named `localhost` here as on nearly every system;
 * 127.0.0.2 has no name, so it is another, unnamed host.
 */
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { describe, test } from 'node:test';
import { MountStat3 } from '../../src/proto/mount/constants.js';
import { CreateMode, NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { CREATE, type CreateArgs } from '../../src/proto/nfs3/create.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { fromLine, host, mntStatus, type Host } from './hosts.js';

const NAMED = '127.0.0.1';
const UNNAMED = '127.0.0.2';

/** Why this machine's name service cannot run these tests, or false when it can. */
async function unusableHosts(): Promise<string | false> {
  const name = await dns.lookupService(NAMED, 0).then((s) => s.hostname, () => undefined);
  if (name !== 'localhost') return `${NAMED} is named ${name ?? 'nothing'} here, not localhost`;
  const back = await dns.lookup('localhost', { all: true }).catch(() => []);
  if (!back.some((a) => a.address === NAMED)) return `localhost does not resolve to ${NAMED} here`;
  const unnamed = await dns.lookupService(UNNAMED, 0).then((s) => s.hostname, () => undefined);
  if (unnamed !== undefined) return `${UNNAMED} is named ${unnamed} here`;
  return false;
}

const skip = await unusableHosts();

/** A server whose one export has this exports-file client list, and a client from each address. */
async function withServer(clients: string, fn: (t: TestServer, named: Host, unnamed: Host) => Promise<void>): Promise<void> {
  const t = await startTestServer({ exportOptions: fromLine(clients) });
  const named = await host(t, NAMED);
  const unnamed = await host(t, UNNAMED);
  try {
    await fn(t, named, unnamed);
  } finally {
    await Promise.all([named.close(), unnamed.close()]);
    await t.stop();
  }
}

const create = (dir: Buffer, name: string): CreateArgs => ({ where: { dir, name: Buffer.from(name) }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } });

describe('host names in exports, resolved by the system', { skip }, () => {
  test('`localhost` admits 127.0.0.1 and refuses the unnamed 127.0.0.2 (MNT3ERR_ACCES, NFS3ERR_ACCES on a handle)', async () => {
    await withServer('localhost(rw,insecure,no_root_squash)', async (t, named, unnamed) => {
      const root = (await named.mount.mnt(t.exportPath)).fhandle;
      assert.equal((await named.nfs.call(GETATTR, { object: root })).status, NfsStat3.OK);
      assert.equal((await named.nfs.call(CREATE, create(root, 'by-name'))).status, NfsStat3.OK);
      assert.equal(await mntStatus(unnamed, t.exportPath), MountStat3.ACCES);
      assert.equal((await unnamed.nfs.call(GETATTR, { object: root })).status, NfsStat3.ACCES, 'a handle leaked to an unnamed host');
    });
  });

  test('a rule naming another host refuses 127.0.0.1', async () => {
    await withServer('nosuchhost.invalid(rw,insecure) 127.0.0.2(rw,insecure)', async (t, named, unnamed) => {
      assert.equal(await mntStatus(named, t.exportPath), MountStat3.ACCES);
      const root = (await unnamed.mount.mnt(t.exportPath)).fhandle;
      assert.equal((await named.nfs.call(GETATTR, { object: root })).status, NfsStat3.ACCES);
    });
  });

  test('a name rule is matched in order: localhost gets ro before `*` gives everyone else rw', async () => {
    await withServer('localhost(ro,insecure,no_root_squash) *(rw,insecure,no_root_squash)', async (t, named, unnamed) => {
      const root = (await unnamed.mount.mnt(t.exportPath)).fhandle;
      assert.equal(await mntStatus(named, t.exportPath), MountStat3.OK);
      assert.equal((await named.nfs.call(CREATE, create(root, 'ro-host'))).status, NfsStat3.ROFS, 'localhost matched its own rule');
      assert.equal((await unnamed.nfs.call(CREATE, create(root, 'rw-host'))).status, NfsStat3.OK);
    });
  });

  test('wildcards match resolved names: `l?calh*` admits 127.0.0.1, `*.invalid` does not', async () => {
    await withServer('*.invalid(ro,insecure) l?calh*(rw,insecure,no_root_squash)', async (t, named, unnamed) => {
      const root = (await named.mount.mnt(t.exportPath)).fhandle;
      assert.equal((await named.nfs.call(CREATE, create(root, 'wild'))).status, NfsStat3.OK, 'rw: the *.invalid rule did not match');
      assert.equal(await mntStatus(unnamed, t.exportPath), MountStat3.ACCES);
    });
  });
});
