/** ACCESS handler. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
  NfsStat3,
} from '../../../src/proto/nfs3/constants.js';
import { access } from '../../../src/programs/nfs3/access.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { callProc, testEnv } from '../../helpers/nfs3-env.js';
import { FATTR } from '../../helpers/nfs3-fixtures.js';

const FILE = Buffer.from('file-1');
const ALL = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE | ACCESS3_EXECUTE;

/** A backend that grants everything asked (plus any extra bits given). */
function granting(extra = 0) {
  return fakeBackend({ access: async (_fh, mask) => ({ granted: mask | extra, attrs: FATTR }) });
}

describe('ACCESS', () => {
  test('grants what the backend grants on a writable export', async () => {
    const t = testEnv();
    const fake = granting();
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(access(t.support), { object: fh(FILE), access: ALL });
    assert.deepEqual(res, { status: NfsStat3.OK, objAttributes: FATTR, access: ALL });
    assert.deepEqual(fake.calls[0]?.args.slice(0, 2), [FILE, ALL]);
  });

  test('a read-only export strips MODIFY, EXTEND and DELETE', async () => {
    const t = testEnv();
    const { fh } = t.addExport('/ro', granting().backend, { readOnly: true });
    const res = await callProc(access(t.support), { object: fh(FILE), access: ALL });
    assert.deepEqual(res, {
      status: NfsStat3.OK,
      objAttributes: FATTR,
      access: ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_EXECUTE,
    });
  });

  test('never answers bits that were not asked for', async () => {
    const t = testEnv();
    const { fh } = t.addExport('/srv', granting(ALL | 0x100).backend);
    const res = await callProc(access(t.support), { object: fh(FILE), access: ACCESS3_READ });
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.access, ACCESS3_READ);
  });

  test('attributes the backend left out are fetched', async () => {
    const t = testEnv();
    const fake = fakeBackend({ access: async () => ({ granted: ACCESS3_READ }), getattr: async () => FATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(access(t.support), { object: fh(FILE), access: ACCESS3_READ });
    assert.deepEqual(res, { status: NfsStat3.OK, objAttributes: FATTR, access: ACCESS3_READ });
  });

  test('a failure maps its errno and still carries attributes', async () => {
    const t = testEnv();
    const fake = fakeBackend({ access: async () => Promise.reject(errno('ESTALE')), getattr: async () => FATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(access(t.support), { object: fh(FILE), access: ALL });
    assert.deepEqual(res, { status: NfsStat3.STALE, objAttributes: FATTR });
  });
});
