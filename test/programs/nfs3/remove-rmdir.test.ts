/** REMOVE and RMDIR: the backend call, name rules, read-only exports, and wcc on failure. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, OpContext } from '../../../src/backend/backend.js';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import type { WccData } from '../../../src/proto/nfs3/types.js';
import { remove } from '../../../src/programs/nfs3/remove.js';
import { rmdir } from '../../../src/programs/nfs3/rmdir.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { FATTR, WCC_ATTR } from '../../helpers/nfs3-fixtures.js';
import { callProc, testEnv } from '../../helpers/nfs3-env.js';

const DIR = Buffer.from('dir1');
const WCC: WccData = { before: WCC_ATTR, after: FATTR };

type Method = 'remove' | 'rmdir';

function setup(method: Method, impl: Backend[Method], readOnly = false) {
  const t = testEnv();
  const fake = fakeBackend({ [method]: impl, getattr: async () => FATTR });
  const dir = t.addExport('/e', fake.backend, { readOnly }).fh(DIR);
  const proc = (method === 'remove' ? remove : rmdir)(t.support);
  return { fake, dir, call: (name: Buffer | string) => callProc(proc, { object: { dir, name: Buffer.from(name) } }) };
}

for (const method of ['remove', 'rmdir'] as const) {
  describe(method.toUpperCase(), () => {
    test('passes the backend handle, the name and the squashed caller; returns its wcc', async () => {
      let seen: [Buffer, Buffer, OpContext] | undefined;
      const { call } = setup(method, async (d, n, ctx) => {
        seen = [d, n, ctx];
        return WCC;
      });
      assert.deepEqual(await call('victim'), { status: NfsStat3.OK, dirWcc: WCC });
      assert.deepEqual(seen, [DIR, Buffer.from('victim'), { cred: { uid: 65534, gid: 65534, gids: [] } }]);
    });

    test('errno failures map to nfsstat3 and carry the directory post-op attributes', async () => {
      for (const [code, status] of [
        ['ENOENT', NfsStat3.NOENT],
        ['EACCES', NfsStat3.ACCES],
        ['ENOTEMPTY', NfsStat3.NOTEMPTY],
        ['ENOTDIR', NfsStat3.NOTDIR],
        ['EISDIR', NfsStat3.ISDIR],
        ['ESTALE', NfsStat3.STALE],
      ] as const) {
        const { call } = setup(method, async () => {
          throw errno(code);
        });
        assert.deepEqual(await call('x'), { status, dirWcc: { after: FATTR } }, code);
      }
    });

    test('a read-only export is ROFS without reaching the backend, still with attributes', async () => {
      const { call, fake } = setup(method, async () => WCC, true);
      assert.deepEqual(await call('x'), { status: NfsStat3.ROFS, dirWcc: { after: FATTR } });
      assert.ok(!fake.calls.some((c) => c.method === method));
    });

    test('malformed names are refused before the backend', async () => {
      const { call, fake } = setup(method, async () => WCC);
      assert.equal((await call('')).status, NfsStat3.NOENT);
      assert.equal((await call('a/b')).status, NfsStat3.NOENT);
      assert.equal((await call('a\0b')).status, NfsStat3.NOENT);
      assert.equal((await call(Buffer.alloc(256, 0x61))).status, NfsStat3.NAMETOOLONG);
      assert.ok(!fake.calls.some((c) => c.method === method));
    });

    test('a forged handle is BADHANDLE with empty wcc', async () => {
      const t = testEnv();
      const fake = fakeBackend({});
      t.addExport('/e', fake.backend);
      const proc = (method === 'remove' ? remove : rmdir)(t.support);
      const res = await callProc(proc, { object: { dir: Buffer.alloc(24, 7), name: Buffer.from('x') } });
      assert.deepEqual(res, { status: NfsStat3.BADHANDLE, dirWcc: { after: undefined } });
      assert.equal(fake.calls.length, 0);
    });
  });
}

test('REMOVE of "." or ".." is ACCES, as knfsd', async () => {
  const { call, fake } = setup('remove', async () => WCC);
  assert.deepEqual(await call('.'), { status: NfsStat3.ACCES, dirWcc: { after: FATTR } });
  assert.deepEqual(await call('..'), { status: NfsStat3.ACCES, dirWcc: { after: FATTR } });
  assert.ok(!fake.calls.some((c) => c.method === 'remove'));
});

test('RMDIR of "." is INVAL and of ".." NOTEMPTY, as rmdir(2)', async () => {
  const { call, fake } = setup('rmdir', async () => WCC);
  assert.deepEqual(await call('.'), { status: NfsStat3.INVAL, dirWcc: { after: FATTR } });
  assert.deepEqual(await call('..'), { status: NfsStat3.NOTEMPTY, dirWcc: { after: FATTR } });
  assert.ok(!fake.calls.some((c) => c.method === 'rmdir'));
});

test('names like "..." or ".x" reach the backend', async () => {
  const names: string[] = [];
  const { call } = setup('remove', async (_d, n) => {
    names.push(n.toString());
    return WCC;
  });
  for (const n of ['...', '.x', '..x']) assert.equal((await call(n)).status, NfsStat3.OK);
  assert.deepEqual(names, ['...', '.x', '..x']);
});
