/** READ and WRITE handlers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend } from '../../../src/backend/backend.js';
import { NfsStat3, StableHow } from '../../../src/proto/nfs3/constants.js';
import { read } from '../../../src/programs/nfs3/read.js';
import { OFFSET_MAX } from '../../../src/programs/nfs3/support.js';
import { write } from '../../../src/programs/nfs3/write.js';
import { DEFAULT_LIMITS } from '../../../src/server/env.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { callProc, testEnv } from '../../helpers/nfs3-env.js';
import { FATTR, WCC_ATTR } from '../../helpers/nfs3-fixtures.js';

const FILE = Buffer.from('file-1');
const LIMITS = { ...DEFAULT_LIMITS, readMax: 4096, writeMax: 4096 };
const VERF = Buffer.from('0102030405060708', 'hex');

/** A file of `size` bytes (each byte its offset mod 256) behind backend.read, reporting size in its attributes. */
function fileOfSize(size: number, reportEof = true): Partial<Backend> {
  const content = Buffer.from(Array.from({ length: size }, (_, i) => i & 0xff));
  return {
    read: async (_fh, offset, count) => {
      const at = Number(offset < BigInt(size) ? offset : BigInt(size));
      const data = content.subarray(at, Math.min(size, at + count));
      return { data, eof: reportEof && at + data.length >= size, attrs: { ...FATTR, size: BigInt(size) } };
    },
  };
}

describe('READ', () => {
  test('counts above readMax are capped: a short read, not EOF', async () => {
    const t = testEnv(LIMITS);
    const fake = fakeBackend(fileOfSize(10_000));
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(read(t.support), { file: fh(FILE), offset: 0n, count: 1 << 20 });
    assert.equal(fake.calls[0]?.args[2], 4096);
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.count, 4096);
    assert.equal(res.data.length, 4096);
    assert.equal(res.eof, false);
  });

  test('reading past EOF gives eof and no bytes', async () => {
    const t = testEnv(LIMITS);
    const { fh } = t.addExport('/srv', fakeBackend(fileOfSize(100)).backend);
    const res = await callProc(read(t.support), { file: fh(FILE), offset: 500n, count: 10 });
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.count, 0);
    assert.equal(res.data.length, 0);
    assert.equal(res.eof, true);
  });

  test('a read that reaches the size is EOF even when the backend did not say so', async () => {
    const t = testEnv(LIMITS);
    const { fh } = t.addExport('/srv', fakeBackend(fileOfSize(100, false)).backend);
    const res = await callProc(read(t.support), { file: fh(FILE), offset: 90n, count: 50 });
    assert.ok(res.status === NfsStat3.OK);
    assert.deepEqual([res.count, res.eof], [10, true]);
    assert.deepEqual(res.data, Buffer.from(Array.from({ length: 10 }, (_, i) => 90 + i)));
  });

  test('a read that stops short of the size is not EOF', async () => {
    const t = testEnv(LIMITS);
    const { fh } = t.addExport('/srv', fakeBackend(fileOfSize(100, false)).backend);
    const res = await callProc(read(t.support), { file: fh(FILE), offset: 10n, count: 50 });
    assert.ok(res.status === NfsStat3.OK);
    assert.deepEqual([res.count, res.eof, res.fileAttributes?.size], [50, false, 100n]);
  });

  test('offsets beyond OFFSET_MAX read nothing at OFFSET_MAX', async () => {
    const t = testEnv(LIMITS);
    const fake = fakeBackend(fileOfSize(100));
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(read(t.support), { file: fh(FILE), offset: (1n << 64n) - 1n, count: 100 });
    assert.deepEqual(fake.calls[0]?.args.slice(1, 3), [OFFSET_MAX, 0]);
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.eof, true);
  });

  test('a read-only export may be read', async () => {
    const t = testEnv(LIMITS);
    const { fh } = t.addExport('/ro', fakeBackend(fileOfSize(3)).backend, { readOnly: true });
    const res = await callProc(read(t.support), { file: fh(FILE), offset: 0n, count: 3 });
    assert.equal(res.status, NfsStat3.OK);
  });

  test('reading a directory is ISDIR with its attributes', async () => {
    const t = testEnv(LIMITS);
    const fake = fakeBackend({ read: async () => Promise.reject(errno('EISDIR')), getattr: async () => FATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(read(t.support), { file: fh(FILE), offset: 0n, count: 10 });
    assert.deepEqual(res, { status: NfsStat3.ISDIR, fileAttributes: FATTR });
  });
});

describe('WRITE', () => {
  const wcc = { before: WCC_ATTR, after: FATTR };

  /** A backend that takes every byte it is given and reports the stability `committed`. */
  function accepting(committed: StableHow) {
    return fakeBackend({
      write: async (_fh, _offset, data) => ({ count: data.length, committed, verifier: VERF, wcc }),
      getattr: async () => FATTR,
    });
  }

  test('passes the write through and returns the backend count, stability, verifier and wcc', async () => {
    const t = testEnv(LIMITS);
    const fake = accepting(StableHow.UNSTABLE);
    const { fh } = t.addExport('/srv', fake.backend);
    const data = Buffer.from('hello');
    const res = await callProc(write(t.support), {
      file: fh(FILE),
      offset: 7n,
      count: 5,
      stable: StableHow.UNSTABLE,
      data,
    });
    assert.deepEqual(res, { status: NfsStat3.OK, fileWcc: wcc, count: 5, committed: StableHow.UNSTABLE, verf: VERF });
    assert.deepEqual(fake.calls[0]?.args.slice(0, 4), [FILE, 7n, data, StableHow.UNSTABLE]);
  });

  test('never claims more stability than the backend achieved', async () => {
    const t = testEnv(LIMITS);
    const { fh } = t.addExport('/srv', accepting(StableHow.DATA_SYNC).backend);
    const res = await callProc(write(t.support), {
      file: fh(FILE),
      offset: 0n,
      count: 1,
      stable: StableHow.FILE_SYNC,
      data: Buffer.from('x'),
    });
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.committed, StableHow.DATA_SYNC);
  });

  test('data beyond writeMax is a short write of writeMax bytes', async () => {
    const t = testEnv(LIMITS);
    const fake = accepting(StableHow.UNSTABLE);
    const { fh } = t.addExport('/srv', fake.backend);
    const data = Buffer.alloc(10_000, 0x5a);
    const res = await callProc(write(t.support), {
      file: fh(FILE),
      offset: 0n,
      count: data.length,
      stable: StableHow.UNSTABLE,
      data,
    });
    assert.equal((fake.calls[0]?.args[2] as Buffer).length, 4096);
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.count, 4096);
  });

  test('the count returned is what the backend wrote, even less than it was given', async () => {
    const t = testEnv(LIMITS);
    const fake = fakeBackend({
      write: async () => ({ count: 2, committed: StableHow.UNSTABLE, verifier: VERF, wcc }),
    });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(write(t.support), {
      file: fh(FILE),
      offset: 0n,
      count: 3,
      stable: StableHow.UNSTABLE,
      data: Buffer.from('abc'),
    });
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.count, 2);
  });

  for (const [count, length] of [
    [8, 4],
    [2, 4],
  ] as const) {
    test(`count ${count} with ${length} bytes of data is INVAL, nothing written`, async () => {
      const t = testEnv(LIMITS);
      const fake = accepting(StableHow.UNSTABLE);
      const { fh } = t.addExport('/srv', fake.backend);
      const res = await callProc(write(t.support), {
        file: fh(FILE),
        offset: 0n,
        count,
        stable: StableHow.UNSTABLE,
        data: Buffer.alloc(length),
      });
      assert.deepEqual(res, { status: NfsStat3.INVAL, fileWcc: { after: FATTR } });
      assert.ok(!fake.calls.some((c) => c.method === 'write'));
    });
  }

  test('a read-only export is ROFS with the file attributes, nothing written', async () => {
    const t = testEnv(LIMITS);
    const fake = accepting(StableHow.FILE_SYNC);
    const { fh } = t.addExport('/ro', fake.backend, { readOnly: true });
    const res = await callProc(write(t.support), {
      file: fh(FILE),
      offset: 0n,
      count: 1,
      stable: StableHow.FILE_SYNC,
      data: Buffer.from('x'),
    });
    assert.deepEqual(res, { status: NfsStat3.ROFS, fileWcc: { after: FATTR } });
    assert.ok(!fake.calls.some((c) => c.method === 'write'));
  });

  test('bytes that would go beyond OFFSET_MAX are FBIG', async () => {
    const t = testEnv(LIMITS);
    const fake = accepting(StableHow.UNSTABLE);
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(write(t.support), {
      file: fh(FILE),
      offset: OFFSET_MAX,
      count: 2,
      stable: StableHow.UNSTABLE,
      data: Buffer.from('ab'),
    });
    assert.equal(res.status, NfsStat3.FBIG);
    assert.ok(!fake.calls.some((c) => c.method === 'write'));
  });

  test('a full disk is NOSPC with the file attributes', async () => {
    const t = testEnv(LIMITS);
    const fake = fakeBackend({ write: async () => Promise.reject(errno('ENOSPC')), getattr: async () => FATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(write(t.support), {
      file: fh(FILE),
      offset: 0n,
      count: 1,
      stable: StableHow.UNSTABLE,
      data: Buffer.from('x'),
    });
    assert.deepEqual(res, { status: NfsStat3.NOSPC, fileWcc: { after: FATTR } });
  });
});
