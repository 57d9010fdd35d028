/** MOUNT version 3 (RFC 1813 appendix I). */
import {
  MOUNT_PROGRAM,
  MOUNT_V3,
  MOUNTPROC3_DUMP,
  MOUNTPROC3_EXPORT,
  MOUNTPROC3_MNT,
  MOUNTPROC3_UMNT,
  MOUNTPROC3_UMNTALL,
  MountStat3,
  type ExportNode,
  type MountBody,
  type MountOk3,
} from '../proto/mount/index.js';
import { connectTransport, ProgramClient, type ConnectOptions } from './program-client.js';
import type { CallOptions, RpcTransport } from './rpc-base.js';

/** "MNT3ERR_ACCES" for MountStat3.ACCES. */
export function mountStatName(status: MountStat3): string {
  return status === MountStat3.OK ? 'MNT3_OK' : `MNT3ERR_${MountStat3[status] ?? status}`;
}

/** MNT answered with a status other than MNT3_OK. */
export class MountError extends Error {
  constructor(
    readonly path: string,
    readonly status: MountStat3,
  ) {
    super(`MNT ${path}: ${mountStatName(status)}`);
    this.name = 'MountError';
  }
}

export class MountClient extends ProgramClient {
  constructor(transport: RpcTransport, defaults?: CallOptions) {
    super(transport, MOUNT_PROGRAM, MOUNT_V3, defaults);
  }

  static async connect(opts: ConnectOptions): Promise<MountClient> {
    return new MountClient(await connectTransport(opts));
  }

  /** The export's root handle and the flavors it accepts; throws MountError on refusal. */
  async mnt(path: string, opts?: CallOptions): Promise<MountOk3> {
    const res = await this.call(MOUNTPROC3_MNT, path, opts);
    if (res.status !== MountStat3.OK) throw new MountError(path, res.status);
    // Copied: the decoded handle is a view into the reply, and a mount lives far longer.
    return { fhandle: Buffer.from(res.fhandle), authFlavors: res.authFlavors };
  }

  umnt(path: string, opts?: CallOptions): Promise<void> {
    return this.call(MOUNTPROC3_UMNT, path, opts);
  }

  umntall(opts?: CallOptions): Promise<void> {
    return this.call(MOUNTPROC3_UMNTALL, undefined, opts);
  }

  /** The server's list of (client host, mounted directory). */
  dump(opts?: CallOptions): Promise<MountBody[]> {
    return this.call(MOUNTPROC3_DUMP, undefined, opts);
  }

  exports(opts?: CallOptions): Promise<ExportNode[]> {
    return this.call(MOUNTPROC3_EXPORT, undefined, opts);
  }
}
