/**
 * NFSv3 (RFC 1813) over an RPC transport. `call` returns any result as
 * decoded, for callers that need the exact status; the named methods return
 * the resok arm or throw NfsClientError carrying the resfail arm.
 */
import type { ProcedureCodec } from '../proto/procedure.js';
import { ACCESS, type AccessArgs, type AccessResult } from '../proto/nfs3/access.js';
import { COMMIT, type CommitArgs, type CommitResult } from '../proto/nfs3/commit.js';
import { NFS_PROGRAM, NFS_V3, NfsStat3 } from '../proto/nfs3/constants.js';
import { CREATE, type CreateArgs, type CreateResult } from '../proto/nfs3/create.js';
import { FSINFO, type FsinfoArgs, type FsinfoResult } from '../proto/nfs3/fsinfo.js';
import { FSSTAT, type FsstatArgs, type FsstatResult } from '../proto/nfs3/fsstat.js';
import { GETATTR, type GetattrArgs, type GetattrResult } from '../proto/nfs3/getattr.js';
import { LINK, type LinkArgs, type LinkResult } from '../proto/nfs3/link.js';
import { LOOKUP, type LookupArgs, type LookupResult } from '../proto/nfs3/lookup.js';
import { MKDIR, type MkdirArgs, type MkdirResult } from '../proto/nfs3/mkdir.js';
import { MKNOD, type MknodArgs, type MknodResult } from '../proto/nfs3/mknod.js';
import { PATHCONF, type PathconfArgs, type PathconfResult } from '../proto/nfs3/pathconf.js';
import { READ, type ReadArgs, type ReadResult } from '../proto/nfs3/read.js';
import { READDIR, type ReaddirArgs, type ReaddirResult } from '../proto/nfs3/readdir.js';
import { READDIRPLUS, type ReaddirplusArgs, type ReaddirplusResult } from '../proto/nfs3/readdirplus.js';
import { READLINK, type ReadlinkArgs, type ReadlinkResult } from '../proto/nfs3/readlink.js';
import { REMOVE, type RemoveArgs, type RemoveResult } from '../proto/nfs3/remove.js';
import { RENAME, type RenameArgs, type RenameResult } from '../proto/nfs3/rename.js';
import { RMDIR, type RmdirArgs, type RmdirResult } from '../proto/nfs3/rmdir.js';
import { SETATTR, type SetattrArgs, type SetattrResult } from '../proto/nfs3/setattr.js';
import { SYMLINK, type SymlinkArgs, type SymlinkResult } from '../proto/nfs3/symlink.js';
import { WRITE, type WriteArgs, type WriteResult } from '../proto/nfs3/write.js';
import { connectTransport, ProgramClient, type ConnectOptions } from './program-client.js';
import type { CallOptions, RpcTransport } from './rpc-base.js';

interface HasStatus {
  status: NfsStat3;
}

/** The resok arm of a result union. */
export type OkOf<R> = Extract<R, { status: NfsStat3.OK }>;
/** The resfail arm of a result union. */
export type FailOf<R> = Exclude<R, { status: NfsStat3.OK }>;

/** "NFS3ERR_NOENT" for NfsStat3.NOENT ("NFS3_OK" for OK). */
export function nfsStatName(status: NfsStat3): string {
  return status === NfsStat3.OK ? 'NFS3_OK' : `NFS3ERR_${NfsStat3[status] ?? status}`;
}

/** A procedure answered with a status other than NFS3_OK. */
export class NfsClientError<F extends HasStatus = HasStatus> extends Error {
  constructor(
    readonly procedure: string,
    /** The resfail arm as decoded (post-op attributes, wcc data). */
    readonly result: F,
  ) {
    super(`${procedure}: ${nfsStatName(result.status)}`);
    this.name = 'NfsClientError';
  }

  get status(): NfsStat3 {
    return this.result.status;
  }
}

export class Nfs3Client extends ProgramClient {
  constructor(transport: RpcTransport, defaults?: CallOptions) {
    super(transport, NFS_PROGRAM, NFS_V3, defaults);
  }

  static async connect(opts: ConnectOptions): Promise<Nfs3Client> {
    return new Nfs3Client(await connectTransport(opts));
  }

  /** Calls and returns the resok arm, or throws NfsClientError. */
  async ok<A, R extends HasStatus>(codec: ProcedureCodec<A, R>, args: A, opts?: CallOptions): Promise<OkOf<R>> {
    const res = await this.call(codec, args, opts);
    if (res.status !== NfsStat3.OK) throw new NfsClientError(codec.name, res as FailOf<R> & HasStatus);
    return res as OkOf<R>;
  }

  getattr(args: GetattrArgs, opts?: CallOptions): Promise<OkOf<GetattrResult>> {
    return this.ok(GETATTR, args, opts);
  }
  setattr(args: SetattrArgs, opts?: CallOptions): Promise<OkOf<SetattrResult>> {
    return this.ok(SETATTR, args, opts);
  }
  lookup(args: LookupArgs, opts?: CallOptions): Promise<OkOf<LookupResult>> {
    return this.ok(LOOKUP, args, opts);
  }
  access(args: AccessArgs, opts?: CallOptions): Promise<OkOf<AccessResult>> {
    return this.ok(ACCESS, args, opts);
  }
  readlink(args: ReadlinkArgs, opts?: CallOptions): Promise<OkOf<ReadlinkResult>> {
    return this.ok(READLINK, args, opts);
  }
  read(args: ReadArgs, opts?: CallOptions): Promise<OkOf<ReadResult>> {
    return this.ok(READ, args, opts);
  }
  write(args: WriteArgs, opts?: CallOptions): Promise<OkOf<WriteResult>> {
    return this.ok(WRITE, args, opts);
  }
  create(args: CreateArgs, opts?: CallOptions): Promise<OkOf<CreateResult>> {
    return this.ok(CREATE, args, opts);
  }
  mkdir(args: MkdirArgs, opts?: CallOptions): Promise<OkOf<MkdirResult>> {
    return this.ok(MKDIR, args, opts);
  }
  symlink(args: SymlinkArgs, opts?: CallOptions): Promise<OkOf<SymlinkResult>> {
    return this.ok(SYMLINK, args, opts);
  }
  mknod(args: MknodArgs, opts?: CallOptions): Promise<OkOf<MknodResult>> {
    return this.ok(MKNOD, args, opts);
  }
  remove(args: RemoveArgs, opts?: CallOptions): Promise<OkOf<RemoveResult>> {
    return this.ok(REMOVE, args, opts);
  }
  rmdir(args: RmdirArgs, opts?: CallOptions): Promise<OkOf<RmdirResult>> {
    return this.ok(RMDIR, args, opts);
  }
  rename(args: RenameArgs, opts?: CallOptions): Promise<OkOf<RenameResult>> {
    return this.ok(RENAME, args, opts);
  }
  link(args: LinkArgs, opts?: CallOptions): Promise<OkOf<LinkResult>> {
    return this.ok(LINK, args, opts);
  }
  readdir(args: ReaddirArgs, opts?: CallOptions): Promise<OkOf<ReaddirResult>> {
    return this.ok(READDIR, args, opts);
  }
  readdirplus(args: ReaddirplusArgs, opts?: CallOptions): Promise<OkOf<ReaddirplusResult>> {
    return this.ok(READDIRPLUS, args, opts);
  }
  fsstat(args: FsstatArgs, opts?: CallOptions): Promise<OkOf<FsstatResult>> {
    return this.ok(FSSTAT, args, opts);
  }
  fsinfo(args: FsinfoArgs, opts?: CallOptions): Promise<OkOf<FsinfoResult>> {
    return this.ok(FSINFO, args, opts);
  }
  pathconf(args: PathconfArgs, opts?: CallOptions): Promise<OkOf<PathconfResult>> {
    return this.ok(PATHCONF, args, opts);
  }
  commit(args: CommitArgs, opts?: CallOptions): Promise<OkOf<CommitResult>> {
    return this.ok(COMMIT, args, opts);
  }
}
