/** Test clients as separate hosts: bound to other loopback addresses (127.0.0.2 is another host). */
import { authSys } from '../../src/client/auth.js';
import { MountClient, MountError } from '../../src/client/mount.js';
import { Nfs3Client } from '../../src/client/nfs3.js';
import { MountStat3 } from '../../src/proto/mount/constants.js';
import type { ExportOptions } from '../../src/server/exports.js';
import { parseExports } from '../../src/server/exports-file.js';

const ROOT = authSys({ uid: 0, gid: 0 });

/** The export options of one exports-file line's client list, for an export of the test server. */
export function fromLine(clients: string): Partial<ExportOptions> {
  return { clients: parseExports(`/export ${clients}`, 'test')[0]!.clients };
}

export interface Host {
  mount: MountClient;
  nfs: Nfs3Client;
  close(): Promise<void>;
}

export async function host(t: { port: number }, localAddress: string, opts: { privilegedPort?: boolean; auth?: ReturnType<typeof authSys> } = {}): Promise<Host> {
  const base = { host: '127.0.0.1', port: t.port, strictReplies: true, auth: opts.auth ?? ROOT, localAddress, privilegedPort: opts.privilegedPort ?? false };
  const mount = await MountClient.connect(base);
  const nfs = await Nfs3Client.connect(base);
  return { mount, nfs, close: async () => void (await Promise.all([mount.close(), nfs.close()])) };
}

export async function mntStatus(h: Host, path: string): Promise<MountStat3> {
  try {
    await h.mount.mnt(path);
    return MountStat3.OK;
  } catch (err) {
    if (err instanceof MountError) return err.status;
    throw err;
  }
}

