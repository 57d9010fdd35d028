/**
 * A small file-system view of one NFSv3 export, without a kernel mount:
 * paths are resolved from the export root by LOOKUP, files are read and
 * written as pipelined chunks of the server's preferred maxima, and written
 * data is committed under the protocol's durability contract (RFC 1813
 * section 3.3.21): data acknowledged UNSTABLE is only safe once a COMMIT
 * returns the same write verifier; if it returns another, the server lost
 * its cache and everything written under the old verifier is sent again.
 */
import { Readable, Writable } from 'node:stream';
import type { OpaqueAuth } from '../rpc/auth.js';
import { MOUNT_PROGRAM, MOUNT_V3 } from '../proto/mount/index.js';
import { CreateMode, Ftype3, NFS_PROGRAM, NFS_V3, NfsStat3, StableHow } from '../proto/nfs3/constants.js';
import type { DirOpArgs } from '../proto/nfs3/common.js';
import type { Fattr3, FileHandle, Sattr3 } from '../proto/nfs3/types.js';
import { IPPROTO_TCP } from '../proto/portmap/index.js';
import { mapBounded } from './bounded.js';
import { MountClient } from './mount.js';
import { Nfs3Client, NfsClientError } from './nfs3.js';
import { PortmapClient } from './portmap.js';
import type { ConnectOptions } from './program-client.js';

export interface NfsMountOptions {
  host: string;
  /** NFS port; asked of the port mapper when absent. */
  port?: number;
  /** MOUNT port; asked of the port mapper when absent. */
  mountPort?: number;
  /** Port mapper port, default 111. */
  portmapPort?: number;
  /** The exported directory to mount. */
  path: string;
  /** Credential for every call; AUTH_SYS of this process when absent. */
  auth?: OpaqueAuth;
  /** Use a source port below 1024 (as root), for `secure` exports. */
  privilegedPort?: boolean;
  timeoutMs?: number;
  /** Chunks in flight per readFile/writeFile. Default 16. */
  window?: number;
  /** Caps on the chunk sizes, below FSINFO's rtmax/wtmax. Default 1 MiB. */
  maxChunk?: number;
}

export interface NfsFsOptions {
  window?: number;
  maxChunk?: number;
  /** Sends UMNT; called by unmount() before the NFS connection closes. */
  umnt?: () => Promise<void>;
}

export interface DirEntry {
  /** The name decoded as UTF-8 (names are bytes on the wire: see rawName). */
  name: string;
  rawName: Buffer;
  fileid: bigint;
  /** Present when listed by READDIRPLUS and the server sent them. */
  attributes?: Fattr3;
  handle?: FileHandle;
}

export interface Resolved {
  handle: FileHandle;
  attributes?: Fattr3;
}

/** How many times writeFile resends after a verifier change before giving up: each means a server restart. */
const MAX_RESENDS = 5;
const DEFAULT_WINDOW = 16;
const DEFAULT_MAX_CHUNK = 1 << 20;
const ZERO_VERF = Buffer.alloc(8);

interface Limits {
  rsize: number;
  wsize: number;
  dtpref: number;
}

/** One chunk of a file being written, and the verifiers of its unstable writes. */
interface WriteChunk {
  offset: number;
  data: Buffer;
  unstableVerfs: Buffer[];
}

export class NfsFs {
  private readdirplusSupported = true;

  private constructor(
    readonly nfs: Nfs3Client,
    readonly root: FileHandle,
    private readonly limits: Limits,
    private readonly window: number,
    private readonly umnt: (() => Promise<void>) | undefined,
  ) {}

  /** Mounts `path` from `host`: port mapper (for missing ports), MNT, then FSINFO on the root. */
  static async mount(o: NfsMountOptions): Promise<NfsFs> {
    const base: Omit<ConnectOptions, 'port'> = {
      host: o.host,
      ...(o.auth && { auth: o.auth }),
      ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }),
      ...(o.privilegedPort !== undefined && { privilegedPort: o.privilegedPort }),
    };
    let { port, mountPort } = o;
    if (port === undefined || mountPort === undefined) {
      const pmap = await PortmapClient.connect({ ...base, privilegedPort: false, ...(o.portmapPort && { port: o.portmapPort }) });
      try {
        port ??= await registeredPort(pmap, NFS_PROGRAM, NFS_V3, 'NFS');
        mountPort ??= await registeredPort(pmap, MOUNT_PROGRAM, MOUNT_V3, 'MOUNT');
      } finally {
        await pmap.close();
      }
    }
    const mountAt = { ...base, port: mountPort };
    const withMount = async <T>(fn: (m: MountClient) => Promise<T>): Promise<T> => {
      // A mount connection is only held for the call: MOUNT is needed twice in a mount's life.
      const m = await MountClient.connect(mountAt);
      try {
        return await fn(m);
      } finally {
        await m.close();
      }
    };
    const { fhandle } = await withMount((m) => m.mnt(o.path));
    const umnt = () => withMount((m) => m.umnt(o.path));
    let nfs: Nfs3Client | undefined;
    try {
      nfs = await Nfs3Client.connect({ ...base, port });
      return await NfsFs.fromClient(nfs, fhandle, {
        ...(o.window !== undefined && { window: o.window }),
        ...(o.maxChunk !== undefined && { maxChunk: o.maxChunk }),
        umnt,
      });
    } catch (err) {
      // Leave no entry in the server's mount list for a mount that never came to be.
      await Promise.allSettled([umnt(), nfs?.close()]);
      throw err;
    }
  }

  /** A view of the export whose root is `root`, over an existing client (asks FSINFO for the chunk sizes). */
  static async fromClient(nfs: Nfs3Client, root: FileHandle, opts: NfsFsOptions = {}): Promise<NfsFs> {
    const info = await nfs.fsinfo({ fsroot: root });
    const cap = opts.maxChunk ?? DEFAULT_MAX_CHUNK;
    const limits = {
      rsize: Math.max(1, Math.min(info.rtmax || info.rtpref || 4096, cap)),
      wsize: Math.max(1, Math.min(info.wtmax || info.wtpref || 4096, cap)),
      dtpref: Math.max(1024, Math.min(info.dtpref || 8192, 64 * 1024)),
    };
    return new NfsFs(nfs, root, limits, opts.window ?? DEFAULT_WINDOW, opts.umnt);
  }

  /** Sends UMNT (when mounted by mount()) and closes the connection. */
  async unmount(): Promise<void> {
    try {
      await this.umnt?.();
    } finally {
      await this.nfs.close();
    }
  }

  /** Resolves a path from the export root by LOOKUP, one component at a time; symbolic links are not followed. */
  async resolve(path: string): Promise<Resolved> {
    let cur: Resolved = { handle: this.root };
    for (const name of components(path)) cur = await this.lookupIn(cur.handle, name);
    return cur;
  }

  async stat(path: string): Promise<Fattr3> {
    const { handle, attributes } = await this.resolve(path);
    return attributes ?? (await this.nfs.getattr({ object: handle })).objAttributes;
  }

  readFile(path: string): Promise<Buffer> {
    return collect(this.fileChunks(path));
  }

  /** Creates or truncates the file, writes `data`, and returns once the server holds it durably. */
  async writeFile(path: string, data: Uint8Array | string, opts: { mode?: number } = {}): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.length);
    await this.writeAll(await this.createTruncated(path, opts.mode), bytes);
  }

  /** CREATE UNCHECKED with size 0: the file exists and is empty afterwards, whether it existed or not. */
  private async createTruncated(path: string, mode = 0o644): Promise<FileHandle> {
    const where = await this.parentOf(path);
    const created = await this.nfs.create({ where, how: { mode: CreateMode.UNCHECKED, objAttributes: { mode, size: 0n } } });
    return created.obj ? Buffer.from(created.obj) : (await this.lookupIn(where.dir, where.name)).handle;
  }

  async readdir(path: string): Promise<DirEntry[]> {
    const { handle } = await this.resolve(path);
    if (this.readdirplusSupported) {
      try {
        return await this.listPlus(handle);
      } catch (err) {
        if (!(err instanceof NfsClientError && err.status === NfsStat3.NOTSUPP)) throw err;
        this.readdirplusSupported = false;
      }
    }
    return this.list(handle);
  }

  async mkdir(path: string, opts: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    const attributes: Sattr3 = { mode: opts.mode ?? 0o755 };
    if (!opts.recursive) {
      await this.nfs.mkdir({ where: await this.parentOf(path), attributes });
      return;
    }
    let dir = this.root;
    for (const name of components(path)) {
      const where = { dir, name: Buffer.from(name, 'utf8') };
      let found = await this.tryLookup(dir, name);
      if (!found) {
        try {
          const made = await this.nfs.mkdir({ where, attributes });
          found = made.obj ? { handle: Buffer.from(made.obj) } : await this.lookupIn(dir, name);
        } catch (err) {
          // Someone else made it between our LOOKUP and MKDIR.
          if (!(err instanceof NfsClientError && err.status === NfsStat3.EXIST)) throw err;
          found = await this.lookupIn(dir, name);
        }
      } else if (found.attributes && found.attributes.type !== Ftype3.DIR) {
        throw new NfsClientError('MKDIR', { status: NfsStat3.NOTDIR });
      }
      dir = found.handle;
    }
  }

  async unlink(path: string): Promise<void> {
    await this.nfs.remove({ object: await this.parentOf(path) });
  }

  async rmdir(path: string): Promise<void> {
    await this.nfs.rmdir({ object: await this.parentOf(path) });
  }

  async rename(from: string, to: string): Promise<void> {
    const [f, t] = await Promise.all([this.parentOf(from), this.parentOf(to)]);
    await this.nfs.rename({ from: f, to: t });
  }

  async symlink(target: string, path: string): Promise<void> {
    await this.nfs.symlink({
      where: await this.parentOf(path),
      symlink: { symlinkAttributes: {}, symlinkData: Buffer.from(target, 'utf8') },
    });
  }

  async readlink(path: string): Promise<string> {
    const { handle } = await this.resolve(path);
    return (await this.nfs.readlink({ symlink: handle })).data.toString('utf8');
  }

  /** Reads from offset 0 to end of file; see chunks() for how the size hint is used. */
  readAll(handle: FileHandle, sizeHint: number): Promise<Buffer> {
    return collect(this.chunks(handle, sizeHint));
  }

  /**
   * The file's bytes from offset 0 to EOF, read ahead by up to `window`
   * pipelined READs. The size is only a hint: reads go on past it one at a
   * time until EOF if the file grew, and the first chunk reporting EOF ends
   * the stream if it shrank.
   */
  async *chunks(handle: FileHandle, sizeHint: number): AsyncGenerator<Buffer> {
    const { rsize } = this.limits;
    const ahead: Promise<{ data: Buffer[]; eof: boolean }>[] = [];
    let next = 0;
    for (;;) {
      while (ahead.length < this.window && (ahead.length === 0 || next < sizeHint)) {
        const read = this.readRange(handle, next, rsize);
        // A read that fails while an earlier one is awaited, or after the consumer stopped, must not be an
        // unhandled rejection; awaiting it in turn still throws.
        read.catch(() => {});
        ahead.push(read);
        next += rsize;
      }
      const chunk = await ahead.shift()!;
      yield* chunk.data;
      if (chunk.eof) return;
    }
  }

  /** A readable stream of the file's bytes. */
  createReadStream(path: string): Readable {
    return Readable.from(this.fileChunks(path), { objectMode: false });
  }

  private async *fileChunks(path: string): AsyncGenerator<Buffer> {
    const { handle, attributes } = await this.resolve(path);
    const attrs = attributes ?? (await this.nfs.getattr({ object: handle })).objAttributes;
    yield* this.chunks(handle, Number(attrs.size));
  }

  /**
   * A writable stream that creates or truncates the file. Data is written in
   * batches of `window` chunks, each batch committed (and resent on a
   * verifier change) before more is accepted, so memory stays bounded.
   */
  createWriteStream(path: string, opts: { mode?: number } = {}): Writable {
    const batchBytes = this.limits.wsize * this.window;
    let handle: FileHandle;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let offset = 0;
    const flush = async (all: boolean) => {
      while (pendingBytes >= batchBytes || (all && pendingBytes > 0)) {
        const joined = Buffer.concat(pending, pendingBytes);
        const take = Math.min(joined.length, batchBytes);
        await this.writeAll(handle, joined.subarray(0, take), offset);
        offset += take;
        pending = take < joined.length ? [joined.subarray(take)] : [];
        pendingBytes = joined.length - take;
      }
    };
    return new Writable({
      construct: (cb) => {
        this.createTruncated(path, opts.mode).then((h) => {
          handle = h;
          cb();
        }, cb);
      },
      write: (chunk: Buffer, _enc, cb) => {
        pending.push(chunk);
        pendingBytes += chunk.length;
        flush(false).then(() => cb(), cb);
      },
      final: (cb) => {
        flush(true).then(() => cb(), cb);
      },
    });
  }

  /** Reads `count` bytes at `offset`, following short reads, stopping early at EOF. */
  private async readRange(file: FileHandle, offset: number, count: number): Promise<{ data: Buffer[]; eof: boolean }> {
    const data: Buffer[] = [];
    while (count > 0) {
      const res = await this.nfs.read({ file, offset: BigInt(offset), count });
      const got = res.data.subarray(0, Math.min(res.data.length, count));
      data.push(got);
      if (res.eof || got.length === 0) return { data, eof: true };
      offset += got.length;
      count -= got.length;
    }
    return { data, eof: false };
  }

  /**
   * Writes `data` at `offset` as pipelined UNSTABLE chunks, then COMMITs; any
   * chunk acknowledged under a verifier other than COMMIT's is written again.
   */
  async writeAll(handle: FileHandle, data: Buffer, offset = 0): Promise<void> {
    const { wsize } = this.limits;
    const chunks: WriteChunk[] = [];
    for (let o = 0; o < data.length; o += wsize) {
      chunks.push({ offset: offset + o, data: data.subarray(o, o + wsize), unstableVerfs: [] });
    }
    let toSend = chunks;
    for (let resend = 0; ; resend++) {
      await mapBounded(toSend, this.window, (c) => this.writeChunk(handle, c));
      if (chunks.every((c) => c.unstableVerfs.length === 0)) return;
      const { verf } = await this.nfs.commit({ file: handle, offset: 0n, count: 0 });
      toSend = chunks.filter((c) => c.unstableVerfs.some((v) => !v.equals(verf)));
      if (toSend.length === 0) return;
      if (resend === MAX_RESENDS) throw new Error(`write verifier changed ${resend + 1} times: server keeps losing data`);
    }
  }

  private async writeChunk(file: FileHandle, chunk: WriteChunk): Promise<void> {
    chunk.unstableVerfs = [];
    let done = 0;
    while (done < chunk.data.length) {
      const data = chunk.data.subarray(done);
      const res = await this.nfs.write({
        file,
        offset: BigInt(chunk.offset + done),
        count: data.length,
        stable: StableHow.UNSTABLE,
        data,
      });
      if (res.count === 0 || res.count > data.length) throw new Error(`WRITE at ${chunk.offset + done}: server wrote ${res.count} of ${data.length} bytes`);
      if (res.committed === StableHow.UNSTABLE) chunk.unstableVerfs.push(Buffer.from(res.verf));
      done += res.count;
    }
  }

  private async listPlus(dir: FileHandle): Promise<DirEntry[]> {
    const maxcount = Math.min(this.limits.rsize, 64 * 1024);
    return this.page(async (cookie, cookieverf) => {
      const res = await this.nfs.readdirplus({ dir, cookie, cookieverf, dircount: this.limits.dtpref, maxcount });
      const entries = res.reply.entries.map((e) => ({
        ...entryOf(e),
        ...(e.nameAttributes && { attributes: e.nameAttributes }),
        ...(e.nameHandle && { handle: Buffer.from(e.nameHandle) }),
      }));
      return { entries, cookies: res.reply.entries.map((e) => e.cookie), eof: res.reply.eof, cookieverf: res.cookieverf };
    });
  }

  private async list(dir: FileHandle): Promise<DirEntry[]> {
    return this.page(async (cookie, cookieverf) => {
      const res = await this.nfs.readdir({ dir, cookie, cookieverf, count: this.limits.dtpref });
      const entries = res.reply.entries.map(entryOf);
      return { entries, cookies: res.reply.entries.map((e) => e.cookie), eof: res.reply.eof, cookieverf: res.cookieverf };
    });
  }

  /** Follows cookies from the start of a directory to EOF; "." and ".." are left out. */
  private async page(
    fetch: (cookie: bigint, verf: Buffer) => Promise<{ entries: DirEntry[]; cookies: bigint[]; eof: boolean; cookieverf: Buffer }>,
  ): Promise<DirEntry[]> {
    const out: DirEntry[] = [];
    let cookie = 0n;
    let verf = ZERO_VERF;
    for (;;) {
      const page = await fetch(cookie, verf);
      for (const e of page.entries) if (e.name !== '.' && e.name !== '..') out.push(e);
      if (page.eof) return out;
      if (page.cookies.length === 0) throw new Error('directory listing made no progress: no entries and no EOF');
      cookie = page.cookies[page.cookies.length - 1]!;
      verf = Buffer.from(page.cookieverf);
    }
  }

  private async lookupIn(dir: FileHandle, name: string | Buffer): Promise<Resolved> {
    const res = await this.nfs.lookup({ what: { dir, name: typeof name === 'string' ? Buffer.from(name, 'utf8') : name } });
    // Copied: the handle is a view into the reply buffer, and callers keep it.
    return { handle: Buffer.from(res.object), ...(res.objAttributes && { attributes: res.objAttributes }) };
  }

  private async tryLookup(dir: FileHandle, name: string): Promise<Resolved | undefined> {
    try {
      return await this.lookupIn(dir, name);
    } catch (err) {
      if (err instanceof NfsClientError && err.status === NfsStat3.NOENT) return undefined;
      throw err;
    }
  }

  /** The directory holding the path's last component, and that component. */
  private async parentOf(path: string): Promise<DirOpArgs> {
    const parts = components(path);
    const name = parts.pop();
    if (name === undefined) throw new Error(`"${path}" names the export root, which has no parent`);
    const { handle } = await this.resolve(parts.join('/'));
    return { dir: handle, name: Buffer.from(name, 'utf8') };
  }
}

async function collect(pieces: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const piece of pieces) all.push(piece);
  return Buffer.concat(all);
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

function entryOf(e: { name: Buffer; fileid: bigint }): DirEntry {
  const rawName = Buffer.from(e.name);
  return { name: rawName.toString('utf8'), rawName, fileid: e.fileid };
}

async function registeredPort(pmap: PortmapClient, prog: number, vers: number, what: string): Promise<number> {
  const port = await pmap.getport(prog, vers, IPPROTO_TCP);
  if (port === 0) throw new Error(`${what} v${vers} is not registered with the port mapper`);
  return port;
}
