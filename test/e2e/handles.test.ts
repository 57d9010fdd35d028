/**
 * File handles over the wire: every procedure refuses a forged handle with
 * BADHANDLE and a deleted object's handle with STALE; handles survive renames
 * of their parents and (local backend) a server restart with the same state
 * directory; a fresh state directory makes old handles BADHANDLE.
 */
import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Nfs3Client } from '../../src/client/nfs3.js';
import type { ProcedureCodec } from '../../src/proto/procedure.js';
import { ACCESS } from '../../src/proto/nfs3/access.js';
import { COMMIT } from '../../src/proto/nfs3/commit.js';
import { CreateMode, Ftype3, NfsStat3, StableHow } from '../../src/proto/nfs3/constants.js';
import { CREATE } from '../../src/proto/nfs3/create.js';
import { FSINFO } from '../../src/proto/nfs3/fsinfo.js';
import { FSSTAT } from '../../src/proto/nfs3/fsstat.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { LINK } from '../../src/proto/nfs3/link.js';
import { LOOKUP } from '../../src/proto/nfs3/lookup.js';
import { MKDIR } from '../../src/proto/nfs3/mkdir.js';
import { MKNOD } from '../../src/proto/nfs3/mknod.js';
import { PATHCONF } from '../../src/proto/nfs3/pathconf.js';
import { READ } from '../../src/proto/nfs3/read.js';
import { READDIR } from '../../src/proto/nfs3/readdir.js';
import { READDIRPLUS } from '../../src/proto/nfs3/readdirplus.js';
import { READLINK } from '../../src/proto/nfs3/readlink.js';
import { REMOVE } from '../../src/proto/nfs3/remove.js';
import { RENAME } from '../../src/proto/nfs3/rename.js';
import { RMDIR } from '../../src/proto/nfs3/rmdir.js';
import { SETATTR } from '../../src/proto/nfs3/setattr.js';
import { SYMLINK } from '../../src/proto/nfs3/symlink.js';
import { WRITE } from '../../src/proto/nfs3/write.js';
import type { FileHandle } from '../../src/proto/nfs3/types.js';
import { BACKENDS, expectStatus, forEachBackend, forge, name, openE2e, type BackendKind } from './harness.js';

/** A procedure call with its arguments bound, typed at the point it is made. */
interface AnyCall {
  name: string;
  run(nfs: Nfs3Client): Promise<{ status: NfsStat3 }>;
}

function bind<A, R extends { status: NfsStat3 }>(codec: ProcedureCodec<A, R>, args: A): AnyCall {
  return { name: codec.name, run: (nfs) => nfs.call(codec, args) };
}

/** One call of every NFSv3 procedure that takes a handle, all on `h`. */
function everyProcedure(h: FileHandle): AnyCall[] {
  const where = { dir: h, name: name('x') };
  return [
    bind(GETATTR, { object: h }),
    bind(SETATTR, { object: h, newAttributes: { mode: 0o600 } }),
    bind(LOOKUP, { what: where }),
    bind(ACCESS, { object: h, access: 0x3f }),
    bind(READLINK, { symlink: h }),
    bind(READ, { file: h, offset: 0n, count: 16 }),
    bind(WRITE, { file: h, offset: 0n, count: 1, stable: StableHow.UNSTABLE, data: name('x') }),
    bind(CREATE, { where, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } }),
    bind(MKDIR, { where, attributes: {} }),
    bind(SYMLINK, { where, symlink: { symlinkAttributes: {}, symlinkData: name('t') } }),
    bind(MKNOD, { where, what: { type: Ftype3.FIFO, pipeAttributes: {} } }),
    bind(REMOVE, { object: where }),
    bind(RMDIR, { object: where }),
    bind(RENAME, { from: where, to: { dir: h, name: name('y') } }),
    bind(LINK, { file: h, link: where }),
    bind(READDIR, { dir: h, cookie: 0n, cookieverf: Buffer.alloc(8), count: 4096 }),
    bind(READDIRPLUS, { dir: h, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 4096, maxcount: 8192 }),
    bind(FSSTAT, { fsroot: h }),
    bind(FSINFO, { fsroot: h }),
    bind(PATHCONF, { object: h }),
    bind(COMMIT, { file: h, offset: 0n, count: 0 }),
  ];
}

forEachBackend('handles', (env) => {
  test('every procedure answers BADHANDLE for a valid handle with one byte flipped (first, middle or last)', async () => {
    const e = env();
    const dir = await e.fresh();
    for (const at of [0, dir.length >> 1, dir.length - 1]) {
      for (const c of everyProcedure(forge(dir, at))) {
        expectStatus(await c.run(e.nfs), NfsStat3.BADHANDLE, `${c.name} (byte ${at} flipped)`);
      }
    }
    // The directory itself is untouched by all that.
    assert.equal((await e.getattr(dir)).type, Ftype3.DIR);
  });

  test('garbage handles: empty, short, random 64 bytes -> BADHANDLE', async () => {
    const e = env();
    for (const h of [Buffer.alloc(0), Buffer.from([1, 2, 3]), Buffer.alloc(64, 0xa5)]) {
      expectStatus(await e.nfs.call(GETATTR, { object: h }), NfsStat3.BADHANDLE, `GETATTR of ${h.length} bytes`);
    }
  });

  test("every procedure answers STALE for a removed directory's handle", async () => {
    const e = env();
    const parent = await e.fresh();
    const gone = Buffer.from((await e.nfs.mkdir({ where: { dir: parent, name: name('gone') }, attributes: {} })).obj!);
    await e.nfs.rmdir({ object: { dir: parent, name: name('gone') } });
    for (const c of everyProcedure(gone)) {
      expectStatus(await c.run(e.nfs), NfsStat3.STALE, c.name);
    }
  });

  test("a removed file's handle is STALE even after a new file took its name", async () => {
    const e = env();
    const dir = await e.fresh();
    const f = await e.file(dir, 'f', 'old');
    await e.nfs.remove({ object: { dir, name: name('f') } });
    const g = await e.file(dir, 'f', 'new');
    expectStatus(await e.nfs.call(GETATTR, { object: f }), NfsStat3.STALE);
    expectStatus(await e.nfs.call(READ, { file: f, offset: 0n, count: 10 }), NfsStat3.STALE);
    assert.equal((await e.nfs.read({ file: g, offset: 0n, count: 10 })).data.toString(), 'new');
  });

  test('RENAME and LINK with a forged second handle -> BADHANDLE', async () => {
    const e = env();
    const dir = await e.fresh();
    const f = await e.file(dir, 'f');
    expectStatus(
      await e.nfs.call(RENAME, { from: { dir, name: name('f') }, to: { dir: forge(dir), name: name('g') } }),
      NfsStat3.BADHANDLE,
    );
    expectStatus(await e.nfs.call(LINK, { file: f, link: { dir: forge(dir), name: name('g') } }), NfsStat3.BADHANDLE);
    expectStatus(await e.nfs.call(LINK, { file: forge(f), link: { dir, name: name('g') } }), NfsStat3.BADHANDLE);
    await e.lookup(dir, 'f');
  });

  test('handles survive renames of their parent directories', async () => {
    const e = env();
    const top = await e.fresh();
    const a = Buffer.from((await e.nfs.mkdir({ where: { dir: top, name: name('a') }, attributes: {} })).obj!);
    const b = Buffer.from((await e.nfs.mkdir({ where: { dir: a, name: name('b') }, attributes: {} })).obj!);
    const f = await e.file(b, 'f', 'payload');
    const other = await e.fresh();
    await e.nfs.rename({ from: { dir: top, name: name('a') }, to: { dir: top, name: name('z') } });
    await e.nfs.rename({ from: { dir: a, name: name('b') }, to: { dir: other, name: name('moved') } });
    assert.equal((await e.nfs.read({ file: f, offset: 0n, count: 100 })).data.toString(), 'payload');
    const again = await e.lookup(await e.lookup(other, 'moved'), 'f');
    assert.equal((await e.getattr(again)).fileid, (await e.getattr(f)).fileid);
    assert.equal((await e.getattr(b)).fileid, (await e.getattr(await e.lookup(other, 'moved'))).fileid);
    // And a, renamed, still resolves and no longer holds b.
    expectStatus(await e.nfs.call(LOOKUP, { what: { dir: a, name: name('b') } }), NfsStat3.NOENT);
  });
});

/** A server over `dir` (local) or a new memory backend, on `stateDir`; both kept by the caller. */
async function restartable(kind: BackendKind, dir: string, stateDir: string) {
  return openE2e(kind, { stateDir, ...(kind === 'local' && { dir }) });
}

for (const kind of BACKENDS) {
  test(`[${kind}] server restart: same state dir keeps handles ${kind === 'local' ? 'valid' : 'STALE (memory forgets its files)'}; a fresh state dir makes them BADHANDLE`, async () => {
    const tmp = async (p: string) => realpath(await mkdtemp(path.join(os.tmpdir(), p)));
    const dir = await tmp('nfs-e2e-restart-');
    await chmod(dir, 0o777);
    const stateDir = await tmp('nfs-e2e-state-');
    const fresh = await tmp('nfs-e2e-state-');
    try {
      let e = await restartable(kind, dir, stateDir);
      const sub = await e.fresh();
      const f = await e.file(sub, 'kept', 'survives');
      const fileid = (await e.getattr(f)).fileid;
      const root = e.root;
      await e.nfs.close();
      await e.mount.close();
      await e.t.stop();

      e = await restartable(kind, dir, stateDir);
      try {
        if (kind === 'local') {
          assert.deepEqual(e.root, root, 'the root handle is the same after a restart');
          // Like knfsd, the handle resolves from nothing but itself and the state directory.
          assert.equal((await e.getattr(f)).fileid, fileid);
          assert.equal((await e.nfs.read({ file: f, offset: 0n, count: 100 })).data.toString(), 'survives');
        } else {
          // The memory backend loses its contents (its handles carry an instance id, so even the root's changes);
          // an old handle must not reach whatever new object got its number.
          await e.fresh();
          await e.file(await e.fresh(), 'another');
          expectStatus(await e.nfs.call(GETATTR, { object: f }), NfsStat3.STALE);
        }
      } finally {
        await e.nfs.close();
        await e.mount.close();
        await e.t.stop();
      }

      e = await restartable(kind, dir, fresh);
      try {
        expectStatus(await e.nfs.call(GETATTR, { object: f }), NfsStat3.BADHANDLE, 'file handle under another key');
        expectStatus(await e.nfs.call(GETATTR, { object: root }), NfsStat3.BADHANDLE, 'root handle under another key');
        if (kind === 'local') {
          await e.release();
        }
      } finally {
        await e.nfs.close();
        await e.mount.close();
        await e.t.stop();
      }
    } finally {
      for (const d of [dir, stateDir, fresh]) await rm(d, { recursive: true, force: true });
    }
  });
}
