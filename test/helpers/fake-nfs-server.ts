/**
 * An in-memory NFSv3 + MOUNT + port mapper server on one TCP port, for client
 * tests. It models the durability contract: UNSTABLE writes change what reads
 * see, COMMIT makes them stable, and `restart()` drops unstable data and
 * changes the write verifier, as a real server's crash would.
 */
import { Ftype3, NfsStat3, NFS_PROGRAM, StableHow } from '../../src/proto/nfs3/constants.js';
import { COMMIT } from '../../src/proto/nfs3/commit.js';
import { CREATE } from '../../src/proto/nfs3/create.js';
import { FSINFO } from '../../src/proto/nfs3/fsinfo.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { LOOKUP } from '../../src/proto/nfs3/lookup.js';
import { MKDIR } from '../../src/proto/nfs3/mkdir.js';
import { READ } from '../../src/proto/nfs3/read.js';
import { READDIR } from '../../src/proto/nfs3/readdir.js';
import { READDIRPLUS } from '../../src/proto/nfs3/readdirplus.js';
import { READLINK } from '../../src/proto/nfs3/readlink.js';
import { REMOVE } from '../../src/proto/nfs3/remove.js';
import { RENAME } from '../../src/proto/nfs3/rename.js';
import { RMDIR } from '../../src/proto/nfs3/rmdir.js';
import { SYMLINK } from '../../src/proto/nfs3/symlink.js';
import { WRITE } from '../../src/proto/nfs3/write.js';
import type { Fattr3, FileHandle } from '../../src/proto/nfs3/types.js';
import { MOUNT_PROGRAM, MOUNTPROC3_MNT, MOUNTPROC3_UMNT, MountStat3 } from '../../src/proto/mount/index.js';
import { PMAP_PROGRAM, PMAPPROC_GETPORT } from '../../src/proto/portmap/index.js';
import { NULL_CODEC, type ProcedureCodec } from '../../src/proto/procedure.js';
import { AcceptStat } from '../../src/rpc/constants.js';
import { acceptErrorReply, FakeTcpServer, successReply, type FakeCall } from './fake-rpc-server.js';

interface Node {
  id: number;
  type: Ftype3;
  /** What reads see, unstable writes included. */
  data: Buffer;
  /** What survives restart(). */
  stable: Buffer;
  children: Map<string, Node>;
  target: Buffer;
}

type Handler = { codec: ProcedureCodec<any, any>; handle: (args: any) => unknown };

export class FakeNfsServer {
  readonly calls: string[] = [];
  readonly umounts: string[] = [];
  verifier = Buffer.from('verf0000');
  /** Entries per READDIR/READDIRPLUS reply, small to exercise paging. */
  pageSize = 2;
  readdirplusSupported = true;
  rtmax = 4096;
  /** Runs at the start of each COMMIT (a test may restart() the server there). */
  beforeCommit: (() => void) | undefined;
  wtmax = 4096;
  private nextId = 1;
  private readonly nodes = new Map<number, Node>();
  readonly root: Node;
  private tcp!: FakeTcpServer;

  private constructor(readonly exportPath: string) {
    this.root = this.node(Ftype3.DIR);
  }

  static async start(exportPath = '/export'): Promise<FakeNfsServer> {
    const s = new FakeNfsServer(exportPath);
    const table = s.table();
    s.tcp = await FakeTcpServer.start((call) => s.dispatch(table, call));
    return s;
  }

  get port(): number {
    return this.tcp.port;
  }

  close(): Promise<void> {
    return this.tcp.close();
  }

  /** A crash: unstable data is gone and the write verifier changes. */
  restart(): void {
    for (const n of this.nodes.values()) n.data = Buffer.from(n.stable);
    this.verifier = Buffer.from(`verf${(Number(this.verifier.subarray(4).toString()) + 1).toString().padStart(4, '0')}`);
  }

  handleOf(n: Node): FileHandle {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(0xfeed, 0);
    h.writeUInt32BE(n.id, 4);
    return h;
  }

  /** The node at a slash-separated path, for assertions. */
  at(path: string): Node | undefined {
    let n: Node | undefined = this.root;
    for (const c of path.split('/').filter(Boolean)) n = n?.children.get(c);
    return n;
  }

  private node(type: Ftype3): Node {
    const n: Node = { id: this.nextId++, type, data: Buffer.alloc(0), stable: Buffer.alloc(0), children: new Map(), target: Buffer.alloc(0) };
    this.nodes.set(n.id, n);
    return n;
  }

  private byHandle(h: FileHandle): Node {
    const n = h.length === 8 && h.readUInt32BE(0) === 0xfeed ? this.nodes.get(h.readUInt32BE(4)) : undefined;
    if (!n) throw NfsStat3.STALE;
    return n;
  }

  private attrs(n: Node): Fattr3 {
    const t = { seconds: 1, nseconds: 0 };
    const size = BigInt(n.type === Ftype3.LNK ? n.target.length : n.data.length);
    return {
      type: n.type,
      mode: 0o755,
      nlink: 1,
      uid: 0,
      gid: 0,
      size,
      used: size,
      rdev: { major: 0, minor: 0 },
      fsid: 1n,
      fileid: BigInt(n.id),
      atime: t,
      mtime: t,
      ctime: t,
    };
  }

  private dir(h: FileHandle): Node {
    const d = this.byHandle(h);
    if (d.type !== Ftype3.DIR) throw NfsStat3.NOTDIR;
    return d;
  }

  private make(where: { dir: FileHandle; name: Buffer }, type: Ftype3, exclusive: boolean): Node {
    const d = this.dir(where.dir);
    const name = where.name.toString();
    const old = d.children.get(name);
    if (old) {
      if (exclusive || old.type !== type) throw NfsStat3.EXIST;
      return old;
    }
    const n = this.node(type);
    d.children.set(name, n);
    return n;
  }

  private newObject(n: Node) {
    return { status: NfsStat3.OK, obj: this.handleOf(n), objAttributes: this.attrs(n), dirWcc: {} };
  }

  private listing(dir: FileHandle, cookie: bigint) {
    const d = this.dir(dir);
    const all = [...d.children.entries()];
    const start = Number(cookie);
    const page = all.slice(start, start + this.pageSize);
    return {
      d,
      entries: page.map(([name, n], i) => ({ name: Buffer.from(name), fileid: BigInt(n.id), cookie: BigInt(start + i + 1), n })),
      eof: start + page.length >= all.length,
    };
  }

  private table(): Map<string, Handler> {
    const nfs = (codec: ProcedureCodec<any, any>, handle: (a: any) => unknown): [string, Handler] => [`${NFS_PROGRAM}:${codec.proc}`, { codec, handle }];
    return new Map<string, Handler>([
      [`${PMAP_PROGRAM}:${PMAPPROC_GETPORT.proc}`, { codec: PMAPPROC_GETPORT, handle: () => this.port }],
      [`${MOUNT_PROGRAM}:0`, { codec: NULL_CODEC, handle: () => undefined }],
      [
        `${MOUNT_PROGRAM}:${MOUNTPROC3_MNT.proc}`,
        {
          codec: MOUNTPROC3_MNT,
          handle: (path: string) =>
            path === this.exportPath
              ? { status: MountStat3.OK, fhandle: this.handleOf(this.root), authFlavors: [1] }
              : { status: MountStat3.NOENT },
        },
      ],
      [`${MOUNT_PROGRAM}:${MOUNTPROC3_UMNT.proc}`, { codec: MOUNTPROC3_UMNT, handle: (path: string) => void this.umounts.push(path) }],
      nfs(FSINFO, (a) => {
        this.byHandle(a.fsroot);
        return {
          status: NfsStat3.OK,
          rtmax: this.rtmax,
          rtpref: this.rtmax,
          rtmult: 512,
          wtmax: this.wtmax,
          wtpref: this.wtmax,
          wtmult: 512,
          dtpref: 4096,
          maxfilesize: 1n << 40n,
          timeDelta: { seconds: 0, nseconds: 1 },
          properties: 0x1b,
        };
      }),
      nfs(GETATTR, (a) => ({ status: NfsStat3.OK, objAttributes: this.attrs(this.byHandle(a.object)) })),
      nfs(LOOKUP, (a) => {
        const n = this.dir(a.what.dir).children.get(a.what.name.toString());
        if (!n) return { status: NfsStat3.NOENT };
        return { status: NfsStat3.OK, object: this.handleOf(n), objAttributes: this.attrs(n) };
      }),
      nfs(CREATE, (a) => {
        const n = this.make(a.where, Ftype3.REG, a.how.mode !== 0);
        if (a.how.objAttributes?.size === 0n) n.data = Buffer.alloc(0);
        return this.newObject(n);
      }),
      nfs(MKDIR, (a) => this.newObject(this.make(a.where, Ftype3.DIR, true))),
      nfs(SYMLINK, (a) => {
        const n = this.make(a.where, Ftype3.LNK, true);
        n.target = Buffer.from(a.symlink.symlinkData);
        n.stable = n.data;
        return this.newObject(n);
      }),
      nfs(READLINK, (a) => ({ status: NfsStat3.OK, data: this.byHandle(a.symlink).target })),
      nfs(WRITE, (a) => {
        const n = this.byHandle(a.file);
        const end = Number(a.offset) + a.data.length;
        if (n.data.length < end) n.data = Buffer.concat([n.data, Buffer.alloc(end - n.data.length)]);
        a.data.copy(n.data, Number(a.offset));
        if (a.stable !== StableHow.UNSTABLE) n.stable = Buffer.from(n.data);
        return { status: NfsStat3.OK, fileWcc: {}, count: a.data.length, committed: a.stable, verf: this.verifier };
      }),
      nfs(COMMIT, (a) => {
        this.beforeCommit?.();
        const n = this.byHandle(a.file);
        n.stable = Buffer.from(n.data);
        return { status: NfsStat3.OK, fileWcc: {}, verf: this.verifier };
      }),
      nfs(READ, (a) => {
        const n = this.byHandle(a.file);
        const data = n.data.subarray(Number(a.offset), Number(a.offset) + Math.min(a.count, this.rtmax));
        return { status: NfsStat3.OK, count: data.length, eof: Number(a.offset) + data.length >= n.data.length, data };
      }),
      nfs(READDIR, (a) => {
        const { entries, eof } = this.listing(a.dir, a.cookie);
        return { status: NfsStat3.OK, cookieverf: Buffer.alloc(8), reply: { entries: entries.map(({ n: _n, ...e }) => e), eof } };
      }),
      nfs(READDIRPLUS, (a) => {
        if (!this.readdirplusSupported) return { status: NfsStat3.NOTSUPP };
        const { entries, eof } = this.listing(a.dir, a.cookie);
        return {
          status: NfsStat3.OK,
          cookieverf: Buffer.alloc(8),
          reply: {
            entries: entries.map(({ n, ...e }) => ({ ...e, nameAttributes: this.attrs(n), nameHandle: this.handleOf(n) })),
            eof,
          },
        };
      }),
      nfs(REMOVE, (a) => this.unlink(a.object, false)),
      nfs(RMDIR, (a) => this.unlink(a.object, true)),
      nfs(RENAME, (a) => {
        const from = this.dir(a.from.dir);
        const n = from.children.get(a.from.name.toString());
        if (!n) return { status: NfsStat3.NOENT, fromdirWcc: {}, todirWcc: {} };
        from.children.delete(a.from.name.toString());
        this.dir(a.to.dir).children.set(a.to.name.toString(), n);
        return { status: NfsStat3.OK, fromdirWcc: {}, todirWcc: {} };
      }),
    ]);
  }

  private unlink(o: { dir: FileHandle; name: Buffer }, wantDir: boolean) {
    const d = this.dir(o.dir);
    const n = d.children.get(o.name.toString());
    if (!n) return { status: NfsStat3.NOENT, dirWcc: {} };
    if ((n.type === Ftype3.DIR) !== wantDir) return { status: wantDir ? NfsStat3.NOTDIR : NfsStat3.ISDIR, dirWcc: {} };
    if (wantDir && n.children.size > 0) return { status: NfsStat3.NOTEMPTY, dirWcc: {} };
    d.children.delete(o.name.toString());
    return { status: NfsStat3.OK, dirWcc: {} };
  }

  private dispatch(table: Map<string, Handler>, call: FakeCall): void {
    const h = table.get(`${call.prog}:${call.proc}`);
    if (!h) return call.send(acceptErrorReply(call.xid, AcceptStat.PROC_UNAVAIL));
    this.calls.push(h.codec.name);
    const args = h.codec.readArgs(call.args);
    let res: unknown;
    try {
      res = h.handle(args);
    } catch (status) {
      if (typeof status !== 'number') throw status;
      res = { status, dirWcc: {}, fileWcc: {}, fromdirWcc: {}, todirWcc: {} };
    }
    call.send(successReply(call.xid, h.codec, res));
  }
}
