/** CREATE, MKDIR, SYMLINK and MKNOD handlers: what they share, then what each passes to the backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, CreatedResult } from '../../../src/backend/backend.js';
import { CreateMode, Ftype3, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import type { DirOpArgs, NewObjectResult } from '../../../src/proto/nfs3/common.js';
import { create } from '../../../src/programs/nfs3/create.js';
import { mkdir } from '../../../src/programs/nfs3/mkdir.js';
import { mknod } from '../../../src/programs/nfs3/mknod.js';
import type { Nfs3Support } from '../../../src/programs/nfs3/support.js';
import { symlink } from '../../../src/programs/nfs3/symlink.js';
import type { CallContext } from '../../../src/programs/program.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { callProc, ROOT_CALL, testEnv } from '../../helpers/nfs3-env.js';
import { FATTR, WCC_ATTR } from '../../helpers/nfs3-fixtures.js';

const DIR = Buffer.from('dir-1');
const NEW = Buffer.from('new-2');
const DIR_ATTR = { ...FATTR, type: Ftype3.DIR };
const CREATED: CreatedResult = { handle: NEW, attrs: FATTR, dirWcc: { before: WCC_ATTR, after: DIR_ATTR } };

type MakeMethod = 'create' | 'mkdir' | 'symlink' | 'mknod';

/** Each procedure with the backend method it must reach and a valid call naming `where`. */
const PROCEDURES: {
  name: string;
  method: MakeMethod;
  call(s: Nfs3Support, where: DirOpArgs, ctx: CallContext): Promise<NewObjectResult>;
}[] = [
  {
    name: 'CREATE',
    method: 'create',
    call: (s, where, ctx) => callProc(create(s), { where, how: { mode: CreateMode.GUARDED, objAttributes: {} } }, ctx),
  },
  { name: 'MKDIR', method: 'mkdir', call: (s, where, ctx) => callProc(mkdir(s), { where, attributes: {} }, ctx) },
  {
    name: 'SYMLINK',
    method: 'symlink',
    call: (s, where, ctx) =>
      callProc(symlink(s), { where, symlink: { symlinkAttributes: {}, symlinkData: Buffer.from('t') } }, ctx),
  },
  {
    name: 'MKNOD',
    method: 'mknod',
    call: (s, where, ctx) => callProc(mknod(s), { where, what: { type: Ftype3.FIFO, pipeAttributes: {} } }, ctx),
  },
];

function backendMaking(method: MakeMethod, made: () => Promise<CreatedResult>): Partial<Backend> {
  return { [method]: made, getattr: async () => DIR_ATTR };
}

for (const proc of PROCEDURES) {
  describe(`${proc.name}: shared behaviour`, () => {
    test('answers a client handle for the new object, its attributes and the backend dir wcc', async () => {
      const t = testEnv();
      const fake = fakeBackend(backendMaking(proc.method, async () => CREATED));
      const { exp, fh } = t.addExport('/srv', fake.backend);
      const res = await proc.call(t.support, { dir: fh(DIR), name: Buffer.from('x') }, ROOT_CALL);
      assert.ok(res.status === NfsStat3.OK);
      assert.deepEqual(t.env.exports.resolve(res.obj!), { exp, handle: NEW });
      assert.deepEqual(res.objAttributes, FATTR);
      assert.deepEqual(res.dirWcc, CREATED.dirWcc);
      assert.deepEqual(fake.calls[0]?.args.slice(0, 2), [DIR, Buffer.from('x')]);
    });

    test('a read-only export is ROFS with the directory attributes, nothing made', async () => {
      const t = testEnv();
      const fake = fakeBackend(backendMaking(proc.method, async () => CREATED));
      const { fh } = t.addExport('/ro', fake.backend, { readOnly: true });
      const res = await proc.call(t.support, { dir: fh(DIR), name: Buffer.from('x') }, ROOT_CALL);
      assert.deepEqual(res, { status: NfsStat3.ROFS, dirWcc: { after: DIR_ATTR } });
      assert.ok(!fake.calls.some((c) => c.method === proc.method));
    });

    for (const [label, name, status] of [
      ['empty', '', NfsStat3.NOENT],
      ['"."', '.', NfsStat3.EXIST],
      ['".."', '..', NfsStat3.EXIST],
      ['with a slash', 'a/b', NfsStat3.INVAL],
      ['with a NUL', 'a\0', NfsStat3.INVAL],
      ['of 256 bytes', 'n'.repeat(256), NfsStat3.NAMETOOLONG],
    ] as const) {
      test(`a name ${label} is ${NfsStat3[status]}, nothing made`, async () => {
        const t = testEnv();
        const fake = fakeBackend(backendMaking(proc.method, async () => CREATED));
        const { fh } = t.addExport('/srv', fake.backend);
        const res = await proc.call(t.support, { dir: fh(DIR), name: Buffer.from(name) }, ROOT_CALL);
        assert.deepEqual(res, { status, dirWcc: { after: DIR_ATTR } });
        assert.ok(!fake.calls.some((c) => c.method === proc.method));
      });
    }

    test('an existing name is EXIST with the directory attributes', async () => {
      const t = testEnv();
      const fake = fakeBackend(backendMaking(proc.method, async () => Promise.reject(errno('EEXIST'))));
      const { fh } = t.addExport('/srv', fake.backend);
      const res = await proc.call(t.support, { dir: fh(DIR), name: Buffer.from('x') }, ROOT_CALL);
      assert.deepEqual(res, { status: NfsStat3.EXIST, dirWcc: { after: DIR_ATTR } });
    });

    test('a stale directory handle is STALE and carries no attributes it cannot get', async () => {
      const t = testEnv();
      const fake = fakeBackend({
        [proc.method]: async () => Promise.reject(errno('ESTALE')),
        getattr: async () => Promise.reject(errno('ESTALE')),
      });
      const { fh } = t.addExport('/srv', fake.backend);
      const res = await proc.call(t.support, { dir: fh(DIR), name: Buffer.from('x') }, ROOT_CALL);
      assert.deepEqual(res, { status: NfsStat3.STALE, dirWcc: { after: undefined } });
    });
  });
}

/** Runs a call against a backend that records the one creating call, and returns its arguments. */
async function argsReaching(method: MakeMethod, run: (s: Nfs3Support, dir: Buffer) => Promise<unknown>) {
  const t = testEnv();
  const fake = fakeBackend(backendMaking(method, async () => CREATED));
  const { fh } = t.addExport('/srv', fake.backend);
  await run(t.support, fh(DIR));
  const made = fake.calls.filter((c) => c.method === method);
  assert.equal(made.length, 1);
  return made[0]!.args;
}

describe('CREATE', () => {
  for (const mode of [CreateMode.UNCHECKED, CreateMode.GUARDED] as const) {
    test(`${CreateMode[mode]} passes the mode and attributes`, async () => {
      const args = await argsReaching('create', (s, dir) =>
        callProc(create(s), { where: { dir, name: Buffer.from('f') }, how: { mode, objAttributes: { mode: 0o640 } } }),
      );
      assert.deepEqual(args[2], { mode, attrs: { mode: 0o640 } });
    });
  }

  test('EXCLUSIVE passes a copy of the verifier, which the backend keeps', async () => {
    const request = Buffer.from('ff0011223344556677ee', 'hex');
    const verf = request.subarray(1, 9);
    const t = testEnv();
    const fake = fakeBackend(backendMaking('create', async () => CREATED));
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await create(t.support).handle(
      { where: { dir: fh(DIR), name: Buffer.from('f') }, how: { mode: CreateMode.EXCLUSIVE, verf } },
      ROOT_CALL,
    );
    assert.equal(res.status, NfsStat3.OK);
    request.fill(0);
    assert.deepEqual(fake.calls[0]?.args[2], {
      mode: CreateMode.EXCLUSIVE,
      verifier: Buffer.from('0011223344556677', 'hex'),
    });
  });
});

describe('MKDIR', () => {
  test('passes the attributes', async () => {
    const args = await argsReaching('mkdir', (s, dir) =>
      callProc(mkdir(s), { where: { dir, name: Buffer.from('d') }, attributes: { mode: 0o700, gid: 5 } }),
    );
    assert.deepEqual(args.slice(0, 3), [DIR, Buffer.from('d'), { mode: 0o700, gid: 5 }]);
  });
});

describe('SYMLINK', () => {
  test('passes the target bytes and the attributes', async () => {
    const target = Buffer.from([0x2e, 0x2e, 0x2f, 0xfe]);
    const args = await argsReaching('symlink', (s, dir) =>
      callProc(symlink(s), {
        where: { dir, name: Buffer.from('l') },
        symlink: { symlinkAttributes: { mode: 0o777 }, symlinkData: target },
      }),
    );
    assert.deepEqual(args.slice(0, 4), [DIR, Buffer.from('l'), target, { mode: 0o777 }]);
  });
});

describe('MKNOD', () => {
  for (const type of [Ftype3.CHR, Ftype3.BLK] as const) {
    test(`${Ftype3[type]} passes its attributes and device numbers`, async () => {
      const args = await argsReaching('mknod', (s, dir) =>
        callProc(mknod(s), {
          where: { dir, name: Buffer.from('n') },
          what: { type, device: { devAttributes: { mode: 0o600 }, spec: { major: 8, minor: 1 } } },
        }),
      );
      assert.deepEqual(args.slice(0, 5), [DIR, Buffer.from('n'), type, { mode: 0o600 }, { major: 8, minor: 1 }]);
    });
  }

  for (const type of [Ftype3.SOCK, Ftype3.FIFO] as const) {
    test(`${Ftype3[type]} passes only its attributes`, async () => {
      const args = await argsReaching('mknod', (s, dir) =>
        callProc(mknod(s), { where: { dir, name: Buffer.from('p') }, what: { type, pipeAttributes: { uid: 3 } } }),
      );
      assert.deepEqual(args.slice(0, 5), [DIR, Buffer.from('p'), type, { uid: 3 }, undefined]);
    });
  }

  for (const type of [Ftype3.REG, Ftype3.DIR, Ftype3.LNK] as const) {
    test(`${Ftype3[type]} is BADTYPE with the directory attributes, nothing made`, async () => {
      const t = testEnv();
      const fake = fakeBackend(backendMaking('mknod', async () => CREATED));
      const { fh } = t.addExport('/srv', fake.backend);
      const res = await callProc(mknod(t.support), { where: { dir: fh(DIR), name: Buffer.from('x') }, what: { type } });
      assert.deepEqual(res, { status: NfsStat3.BADTYPE, dirWcc: { after: DIR_ATTR } });
      assert.ok(!fake.calls.some((c) => c.method === 'mknod'));
    });
  }
});
