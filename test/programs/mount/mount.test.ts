import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, LookupResult, OpContext } from '../../../src/backend/backend.js';
import { NfsError } from '../../../src/backend/errors.js';
import { MountStat3 } from '../../../src/proto/mount/constants.js';
import { MOUNTPROC_MNT } from '../../../src/proto/mount/v1.js';
import {
  MOUNTPROC3_DUMP,
  MOUNTPROC3_EXPORT,
  MOUNTPROC3_MNT,
  MOUNTPROC3_UMNT,
  MOUNTPROC3_UMNTALL,
} from '../../../src/proto/mount/v3.js';
import { Ftype3, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import type { ProcedureCodec } from '../../../src/proto/procedure.js';
import { createMountProgram } from '../../../src/programs/mount/index.js';
import type { CallContext, Procedure, Program, Remote } from '../../../src/programs/program.js';
import type { Export } from '../../../src/server/exports.js';
import { MountList } from '../../../src/server/mount-list.js';
import { MemoryBackend } from '../../../src/backend/memory/index.js';
import { encodeWith } from '../../helpers/codec-properties.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { callProc, ROOT_CALL, testEnv } from '../../helpers/nfs3-env.js';
import { FATTR } from '../../helpers/nfs3-fixtures.js';

/** A small tree: / has sub/ (with deeper/), file, and link -> sub. */
const TREE: Record<string, Record<string, { handle: string; type: Ftype3 }>> = {
  root: {
    sub: { handle: 'sub', type: Ftype3.DIR },
    file: { handle: 'file', type: Ftype3.REG },
    link: { handle: 'link', type: Ftype3.LNK },
  },
  sub: { deeper: { handle: 'deeper', type: Ftype3.DIR } },
};

function treeBackend(overrides: Partial<Backend> = {}) {
  return fakeBackend({
    async root() {
      return Buffer.from('root');
    },
    async lookup(dir: Buffer, name: Buffer): Promise<LookupResult> {
      const e = TREE[dir.toString()]?.[name.toString()];
      if (!e) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return { handle: Buffer.from(e.handle), attrs: { ...FATTR, type: e.type } };
    },
    ...overrides,
  });
}

interface Hooked {
  mounted: string[];
  unmounted: string[];
}

async function setup(overrides: Partial<Backend> = {}) {
  const t = testEnv();
  const fake = treeBackend(overrides);
  const srv = t.addExport('/srv', fake.backend).exp;
  const other = t.addExport('/data/media', treeBackend().backend).exp;
  const mounts = await MountList.load(undefined);
  const hooked: Hooked = { mounted: [], unmounted: [] };
  const label = (exp: Export, remote: Remote) => `${remote.address}:${exp.path}`;
  const prog = createMountProgram(t.env, mounts, {
    onMount: (exp, remote) => hooked.mounted.push(label(exp, remote)),
    onUnmount: (exp, remote) => {
      hooked.unmounted.push(label(exp, remote));
    },
  });
  return { t, env: t.env, fake, srv, other, mounts, hooked, prog };
}

function proc<A, R>(prog: Program, vers: number, codec: ProcedureCodec<A, R>): Procedure<A, R> {
  const p = prog.versions.get(vers)?.procedures.get(codec.proc);
  assert.ok(p, `version ${vers} has ${codec.name}`);
  assert.equal(p.codec, codec);
  return p as Procedure<A, R>;
}

const from = (address: string): CallContext => ({ ...ROOT_CALL, remote: { address, port: 800, transport: 'tcp' } });

describe('MNT', () => {
  test('of an export path: the root handle, AUTH_SYS, recorded, hook called', async () => {
    const s = await setup();
    const res = await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv');
    assert.equal(res.status, MountStat3.OK);
    if (res.status !== MountStat3.OK) return;
    assert.deepEqual(res.authFlavors, [1]);
    const { exp, handle } = s.env.exports.resolve(res.fhandle);
    assert.equal(exp, s.srv);
    assert.equal(handle.toString(), 'root');
    assert.deepEqual(
      s.mounts.list().map((e) => [e.host, e.path]),
      [['127.0.0.1', '/srv']],
    );
    assert.deepEqual(s.hooked.mounted, ['127.0.0.1:/srv']);
  });

  test('as the squashed caller', async () => {
    const s = await setup();
    await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv');
    const op = s.fake.calls[0]!.args[0] as OpContext;
    assert.deepEqual(op.cred, { uid: 65534, gid: 65534, gids: [] });
  });

  test("of a subdirectory, with '//', '.' and a trailing '/': looked up component by component", async () => {
    const s = await setup();
    const res = await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '//srv/./sub//deeper/');
    assert.equal(res.status, MountStat3.OK);
    if (res.status !== MountStat3.OK) return;
    assert.equal(s.env.exports.resolve(res.fhandle).handle.toString(), 'deeper');
    assert.deepEqual(
      s.fake.calls.map((c) => [c.method, String(c.args[1] ?? '')]),
      [
        ['root', ''],
        ['lookup', 'sub'],
        ['lookup', 'deeper'],
      ],
    );
    assert.deepEqual(s.mounts.list().map((e) => e.path), ['/srv/sub/deeper']);
    assert.deepEqual(s.hooked.mounted, ['127.0.0.1:/srv']);
  });

  test('the deepest export holding the path answers', async () => {
    const s = await setup();
    const res = await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/data/media');
    assert.equal(res.status, MountStat3.OK);
    if (res.status === MountStat3.OK) assert.equal(s.env.exports.resolve(res.fhandle).exp, s.other);
  });

  const refusals: [string, MountStat3][] = [
    ['/nowhere', MountStat3.NOENT],
    ['/srvx', MountStat3.NOENT],
    ['/data', MountStat3.NOENT],
    ['/srv/missing', MountStat3.NOENT],
    ['/srv/file', MountStat3.NOTDIR],
    ['/srv/file/x', MountStat3.NOTDIR],
    ['/srv/link', MountStat3.NOTDIR],
    ['srv', MountStat3.INVAL],
    ['', MountStat3.INVAL],
    ['/srv/../etc', MountStat3.INVAL],
    ['/srv/sub/..', MountStat3.INVAL],
    [`/srv/${'n'.repeat(256)}`, MountStat3.NAMETOOLONG],
  ];
  for (const [path, status] of refusals) {
    const shown = JSON.stringify(path.length > 40 ? path.slice(0, 40) + '...' : path);
    test(`of ${shown}: ${MountStat3[status]}, nothing recorded`, async () => {
      const s = await setup({
        // A real backend answers NOTDIR for a lookup in a file.
        async lookup(dir: Buffer, name: Buffer): Promise<LookupResult> {
          if (dir.toString() === 'file') throw new NfsError(NfsStat3.NOTDIR);
          return treeBackend().backend.lookup(dir, name, { cred: { uid: 0, gid: 0, gids: [] } });
        },
      });
      const res = await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), path);
      assert.deepEqual(res, { status });
      assert.deepEqual(s.mounts.list(), []);
      assert.deepEqual(s.hooked.mounted, []);
    });
  }

  test("'..' and relative paths never reach the backend", async () => {
    const s = await setup();
    await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv/../srv');
    await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), 'srv/sub');
    assert.deepEqual(s.fake.calls, []);
  });

  test('a STALE export root (storage gone) is NOENT', async () => {
    const s = await setup({
      async root() {
        throw new NfsError(NfsStat3.STALE);
      },
    });
    assert.deepEqual(await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv'), { status: MountStat3.NOENT });
  });

  test('errno failures map to their mountstat3; bugs to SERVERFAULT', async () => {
    const failing = (err: unknown) =>
      setup({
        async root() {
          throw err;
        },
      });
    const mnt = async (err: unknown) => {
      const s = await failing(err);
      return (await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv')).status;
    };
    assert.equal(await mnt(Object.assign(new Error('x'), { code: 'EACCES' })), MountStat3.ACCES);
    assert.equal(await mnt(Object.assign(new Error('x'), { code: 'EIO' })), MountStat3.IO);
    assert.equal(await mnt(Object.assign(new Error('x'), { code: 'ENOSPC' })), MountStat3.IO);
    assert.equal(await mnt(new TypeError('bug')), MountStat3.SERVERFAULT);
  });

  test('an IPv4 caller of a dual-stack socket is recorded as IPv4', async () => {
    const s = await setup();
    await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv', from('::ffff:10.0.0.5'));
    assert.deepEqual(s.mounts.list().map((e) => e.host), ['10.0.0.5']);
  });
});

describe('MNT version 1', () => {
  test('the version 3 handle, padded with zeros to 32 bytes', async () => {
    const s = await setup();
    const v3 = await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv');
    const v1 = await callProc(proc(s.prog, 1, MOUNTPROC_MNT), '/srv');
    assert.ok(v3.status === MountStat3.OK && v1.status === MountStat3.OK);
    assert.equal(v1.fhandle.length, 32);
    assert.deepEqual(v1.fhandle.subarray(0, v3.fhandle.length), v3.fhandle);
    assert.ok(v1.fhandle.subarray(v3.fhandle.length).every((b) => b === 0));
  });

  test('a handle longer than 32 bytes cannot be given: IO', async () => {
    const s = await setup({
      async root() {
        return Buffer.alloc(20, 7); // 8 + 20 + 8 = 36 bytes framed
      },
    });
    assert.deepEqual(await callProc(proc(s.prog, 1, MOUNTPROC_MNT), '/srv'), { status: MountStat3.IO });
  });

  test('statuses that are not errnos become EIO', async () => {
    const s = await setup({
      async root() {
        throw new Error('bug');
      },
    });
    assert.deepEqual(await callProc(proc(s.prog, 1, MOUNTPROC_MNT), '/srv'), { status: MountStat3.IO });
    assert.deepEqual(await callProc(proc(s.prog, 1, MOUNTPROC_MNT), '/nowhere'), { status: MountStat3.NOENT });
  });
});

describe('UMNT, UMNTALL, DUMP', () => {
  test('UMNT removes the entry, tells the export, and replies with zero bytes', async () => {
    const s = await setup();
    await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv/sub');
    const umnt = proc(s.prog, 3, MOUNTPROC3_UMNT);
    const res = await callProc(umnt, '/srv/sub/');
    assert.equal(encodeWith(umnt.codec.writeResult, res).length, 0);
    assert.deepEqual(s.mounts.list(), []);
    assert.deepEqual(s.hooked.unmounted, ['127.0.0.1:/srv']);
  });

  test('UMNT with no recorded mount still tells the export; of an unknown path, nothing', async () => {
    const s = await setup();
    await callProc(proc(s.prog, 3, MOUNTPROC3_UMNT), '/data/media');
    await callProc(proc(s.prog, 3, MOUNTPROC3_UMNT), '/nowhere');
    await callProc(proc(s.prog, 3, MOUNTPROC3_UMNT), '/srv/../srv');
    assert.deepEqual(s.hooked.unmounted, ['127.0.0.1:/data/media']);
  });

  test("UMNT removes only the caller's entry", async () => {
    const s = await setup();
    await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv', from('10.0.0.1'));
    await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv', from('10.0.0.2'));
    await callProc(proc(s.prog, 3, MOUNTPROC3_UMNT), '/srv', from('10.0.0.1'));
    assert.deepEqual(await callProc(proc(s.prog, 3, MOUNTPROC3_DUMP), undefined), [
      { hostname: '10.0.0.2', directory: '/srv' },
    ]);
  });

  test("UMNTALL removes every mount of the caller and tells each export once", async () => {
    const s = await setup();
    const mnt = proc(s.prog, 3, MOUNTPROC3_MNT);
    await callProc(mnt, '/srv', from('10.0.0.1'));
    await callProc(mnt, '/srv/sub', from('10.0.0.1'));
    await callProc(mnt, '/data/media', from('10.0.0.1'));
    await callProc(mnt, '/srv', from('10.0.0.2'));
    await callProc(proc(s.prog, 3, MOUNTPROC3_UMNTALL), undefined, from('10.0.0.1'));
    assert.deepEqual(s.hooked.unmounted.sort(), ['10.0.0.1:/data/media', '10.0.0.1:/srv']);
    assert.deepEqual(await callProc(proc(s.prog, 1, MOUNTPROC3_DUMP), undefined), [
      { hostname: '10.0.0.2', directory: '/srv' },
    ]);
  });

  test('UMNTALL of a caller with no mounts tells nobody', async () => {
    const s = await setup();
    await callProc(proc(s.prog, 3, MOUNTPROC3_UMNTALL), undefined, from('10.0.0.9'));
    assert.deepEqual(s.hooked.unmounted, []);
  });

  test('DUMP lists what MNT recorded, in both versions', async () => {
    const s = await setup();
    await callProc(proc(s.prog, 3, MOUNTPROC3_MNT), '/srv', from('10.0.0.1'));
    await callProc(proc(s.prog, 1, MOUNTPROC_MNT), '/data/media/', from('10.0.0.2'));
    const expected = [
      { hostname: '10.0.0.1', directory: '/srv' },
      { hostname: '10.0.0.2', directory: '/data/media' },
    ];
    assert.deepEqual(await callProc(proc(s.prog, 3, MOUNTPROC3_DUMP), undefined), expected);
    assert.deepEqual(await callProc(proc(s.prog, 1, MOUNTPROC3_DUMP), undefined), expected);
  });

  test('mounts are persisted when the list has a file', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'mountd-'));
    try {
      const file = join(dir, 'rmtab.json');
      const t = testEnv();
      t.addExport('/srv', treeBackend().backend);
      const mounts = await MountList.load(file);
      const prog = createMountProgram(t.env, mounts);
      await callProc(proc(prog, 3, MOUNTPROC3_MNT), '/srv');
      await mounts.flush();
      assert.deepEqual((await MountList.load(file)).list().map((e) => e.path), ['/srv']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('EXPORT', () => {
  test("every export, offered to '*' as knfsd lists an export to everyone", async () => {
    const s = await setup();
    assert.deepEqual(await callProc(proc(s.prog, 3, MOUNTPROC3_EXPORT), undefined, from('10.9.9.9')), [
      { dir: '/srv', groups: ['*'] },
      { dir: '/data/media', groups: ['*'] },
    ]);
  });
});

test('program table: versions 1 and 3, procedures 0-5, shared procedures are the same objects', async () => {
  const s = await setup();
  assert.equal(s.prog.prog, 100005);
  for (const v of [1, 3]) assert.deepEqual([...s.prog.versions.get(v)!.procedures.keys()].sort(), [0, 1, 2, 3, 4, 5]);
  const [v1, v3] = [s.prog.versions.get(1)!.procedures, s.prog.versions.get(3)!.procedures];
  for (const p of [2, 3, 4, 5]) assert.equal(v1.get(p), v3.get(p));
  assert.notEqual(v1.get(1), v3.get(1));
});

test('with the memory backend: MNT of a real subdirectory gives the handle LOOKUP would', async () => {
  const t = testEnv();
  const backend = new MemoryBackend();
  const op = { cred: { uid: 0, gid: 0, gids: [] } };
  const root = await backend.root(op);
  const dir = await backend.mkdir(root, Buffer.from('photos'), { mode: 0o755 }, op);
  t.addExport('/mem', backend, { noRootSquash: true });
  const prog = createMountProgram(t.env, await MountList.load(undefined));
  const res = await callProc(proc(prog, 3, MOUNTPROC3_MNT), '/mem/photos/');
  assert.equal(res.status, MountStat3.OK);
  if (res.status === MountStat3.OK) assert.deepEqual(t.env.exports.resolve(res.fhandle).handle, dir.handle);
  assert.deepEqual(await callProc(proc(prog, 3, MOUNTPROC3_MNT), '/mem/videos'), { status: MountStat3.NOENT });
});
