/**
 * READDIR and READDIRPLUS paging against a fake directory: every entry comes
 * back exactly once across pages, every reply fits the client's budgets as
 * actually encoded, eof only at the real end, TOOSMALL only when the next
 * entry cannot fit, and lenient cookie verifiers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Backend, DirEntry, ReaddirRequest } from '../../../src/backend/backend.js';
import { NfsError } from '../../../src/backend/errors.js';
import { Ftype3, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { dirResOkOverhead, entry3Size, entryDirSize, type ReaddirResult } from '../../../src/proto/nfs3/readdir.js';
import { entryplus3Size, type ReaddirplusResult } from '../../../src/proto/nfs3/readdirplus.js';
import type { Fattr3 } from '../../../src/proto/nfs3/types.js';
import { readdir } from '../../../src/programs/nfs3/readdir.js';
import { readdirplus } from '../../../src/programs/nfs3/readdirplus.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { FATTR } from '../../helpers/nfs3-fixtures.js';
import { callProc, encodedLength, testEnv } from '../../helpers/nfs3-env.js';

const DIR = Buffer.from('d1r0');
const VERF = Buffer.from('0123456789abcdef', 'hex');
const ZERO = Buffer.alloc(8);
const DIR_ATTRS: Fattr3 = { ...FATTR, type: Ftype3.DIR, fileid: 2n };

const attrsOf = (i: number): Fattr3 => ({ ...FATTR, fileid: BigInt(1000 + i) });
const handleOf = (i: number): Buffer => Buffer.from(`h${i}`.padEnd(8, '.'));

interface DirOptions {
  /** Most entries the backend returns per call, below what it was asked for. */
  pageCap?: number;
  /** Leave out the directory's attributes from the page. */
  noDirAttrs?: boolean;
}

/** A directory of `names`; cookie i+1 is the position after entry i. */
function fakeDir(names: readonly Buffer[], opts: DirOptions = {}): Partial<Backend> {
  return {
    async readdir(dir, req: ReaddirRequest) {
      assert.deepEqual(dir, DIR);
      const start = Number(req.cookie);
      const n = Math.min(req.maxEntries, opts.pageCap ?? Infinity);
      const entries: DirEntry[] = names.slice(start, start + n).map((name, k) => {
        const i = start + k;
        const e: DirEntry = { cookie: BigInt(i + 1), fileid: BigInt(1000 + i), name };
        return req.withAttrs ? { ...e, handle: handleOf(i), attrs: attrsOf(i) } : e;
      });
      return {
        entries,
        eof: start + entries.length >= names.length,
        verifier: VERF,
        dirAttrs: opts.noDirAttrs ? undefined : DIR_ATTRS,
      };
    },
    async getattr() {
      return DIR_ATTRS;
    },
  };
}

function setup(names: readonly Buffer[], opts: DirOptions = {}) {
  const t = testEnv();
  const fake = fakeBackend(fakeDir(names, opts));
  const { fh } = t.addExport('/export', fake.backend);
  return { ...t, fake, dirFh: fh(DIR), rd: readdir(t.support), rdp: readdirplus(t.support) };
}

/** 1..40-byte names without '/' or NUL, unique. */
const names = fc.uniqueArray(
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a.map((b) => (b === 0 || b === 0x2f ? 0x78 : b)))),
  { maxLength: 60, selector: (b) => b.toString('hex') },
);

/** A backend page size below what the handler asks for, sometimes. */
const pageCap = fc.option(fc.integer({ min: 1, max: 7 }));

const nameList = (n: number, len = 5) => Array.from({ length: n }, (_, i) => Buffer.from(`f${i}`.padEnd(len, '-')));

describe('READDIR paging', () => {
  test('lists every entry exactly once, each reply within count as encoded, eof only at the end', async () => {
    await fc.assert(
      fc.asyncProperty(names, fc.integer({ min: 100, max: 1500 }), pageCap, async (all, count, cap) => {
        const { rd, dirFh } = setup(all, { pageCap: cap ?? undefined });
        const seen: Buffer[] = [];
        let cookie = 0n;
        let cookieverf = ZERO;
        for (let round = 0; ; round++) {
          assert.ok(round <= all.length + 1, 'no progress');
          const res: ReaddirResult = await callProc(rd, { dir: dirFh, cookie, cookieverf, count });
          if (res.status === NfsStat3.TOOSMALL) {
            // Only legitimate when the fixed part and the next entry (if any) cannot fit.
            const next = all[seen.length];
            const need = next ? entry3Size({ fileid: 0n, name: next, cookie: 0n }) : 0;
            assert.ok(dirResOkOverhead(DIR_ATTRS) + need > count);
            return;
          }
          assert.equal(res.status, NfsStat3.OK);
          assert.ok(encodedLength(rd, res) - 4 <= count, 'resok larger than count');
          assert.deepEqual(res.dirAttributes, DIR_ATTRS);
          assert.deepEqual(res.cookieverf, VERF);
          for (const e of res.reply.entries) {
            assert.equal(e.fileid, BigInt(1000 + seen.length));
            seen.push(e.name);
          }
          if (res.reply.eof) break;
          assert.ok(res.reply.entries.length > 0, 'empty page without eof');
          cookie = res.reply.entries.at(-1)!.cookie;
          cookieverf = res.cookieverf;
        }
        assert.deepEqual(seen, all);
      }),
      { numRuns: 100 },
    );
  });

  test('a page cut short by count is not eof even when the backend reached the end', async () => {
    const all = nameList(10);
    const { rd, dirFh } = setup(all);
    const count = dirResOkOverhead(DIR_ATTRS) + 3 * entry3Size({ fileid: 0n, name: all[0]!, cookie: 0n });
    const res = await callProc(rd, { dir: dirFh, cookie: 7n, cookieverf: VERF, count: count - 1 });
    assert.equal(res.status, NfsStat3.OK);
    assert.ok(res.status === NfsStat3.OK);
    assert.deepEqual(
      res.reply.entries.map((e) => e.name.toString()),
      ['f7---', 'f8---'],
    );
    assert.equal(res.reply.eof, false);
    const exact = await callProc(rd, { dir: dirFh, cookie: 7n, cookieverf: VERF, count });
    assert.ok(exact.status === NfsStat3.OK);
    assert.equal(exact.reply.entries.length, 3);
    assert.equal(exact.reply.eof, true);
    assert.equal(encodedLength(rd, exact) - 4, count);
  });

  test('an empty directory, or a cookie at the end, is an empty eof page', async () => {
    const { rd, dirFh } = setup(nameList(2));
    const res = await callProc(rd, { dir: dirFh, cookie: 2n, cookieverf: VERF, count: 4096 });
    assert.ok(res.status === NfsStat3.OK);
    assert.deepEqual(res.reply, { entries: [], eof: true });
  });

  test('TOOSMALL when not even one entry fits, or not even the fixed part', async () => {
    const { rd, dirFh } = setup([Buffer.alloc(200, 0x61)]);
    const first = await callProc(rd, { dir: dirFh, cookie: 0n, cookieverf: ZERO, count: 200 });
    assert.deepEqual(first, { status: NfsStat3.TOOSMALL, dirAttributes: DIR_ATTRS });
    const tiny = await callProc(rd, { dir: dirFh, cookie: 1n, cookieverf: ZERO, count: 8 });
    assert.equal(tiny.status, NfsStat3.TOOSMALL);
  });

  test('asks the backend for a bounded number of entries however large the count', async () => {
    const { rd, dirFh, fake, env } = setup(nameList(3));
    await callProc(rd, { dir: dirFh, cookie: 0n, cookieverf: ZERO, count: 0xffff_ffff });
    const req = fake.calls.find((c) => c.method === 'readdir')!.args[1] as ReaddirRequest;
    assert.ok(req.maxEntries >= 1 && req.maxEntries <= env.limits.readMax / 28, `maxEntries ${req.maxEntries}`);
    assert.equal(req.withAttrs, false);
  });

  test('fetches the directory attributes when the backend leaves them out', async () => {
    const { rd, dirFh, fake } = setup(nameList(1), { noDirAttrs: true });
    const res = await callProc(rd, { dir: dirFh, cookie: 0n, cookieverf: ZERO, count: 4096 });
    assert.deepEqual(res.dirAttributes, DIR_ATTRS);
    assert.ok(fake.calls.some((c) => c.method === 'getattr'));
  });
});

describe('READDIR cookie verifiers are lenient', () => {
  function strictDir(names: readonly Buffer[]): Partial<Backend> {
    const inner = fakeDir(names);
    return {
      ...inner,
      async readdir(dir, req, ctx) {
        if (!req.verifier.equals(ZERO) && !req.verifier.equals(VERF)) throw new NfsError(NfsStat3.BAD_COOKIE);
        if (req.cookie > BigInt(names.length)) throw new NfsError(NfsStat3.BAD_COOKIE);
        return inner.readdir!(dir, req, ctx);
      },
    };
  }

  test('a stale verifier is retried without one instead of answering BAD_COOKIE', async () => {
    const t = testEnv();
    const fake = fakeBackend(strictDir(nameList(3)));
    const dirFh = t.addExport('/e', fake.backend).fh(DIR);
    const stale = Buffer.from('ffffffffffffffff', 'hex');
    const plain = await callProc(readdir(t.support), { dir: dirFh, cookie: 1n, cookieverf: stale, count: 4096 });
    assert.ok(plain.status === NfsStat3.OK);
    assert.equal(plain.reply.entries.length, 2);
    const plus = await callProc(readdirplus(t.support), {
      dir: dirFh,
      cookie: 1n,
      cookieverf: stale,
      dircount: 4096,
      maxcount: 4096,
    });
    assert.ok(plus.status === NfsStat3.OK);
    assert.equal(plus.reply.entries.length, 2);
    const verifiers = fake.calls.filter((c) => c.method === 'readdir').map((c) => (c.args[1] as ReaddirRequest).verifier);
    assert.deepEqual(verifiers, [stale, ZERO, stale, ZERO]);
  });

  test('a cookie the backend cannot place stays BAD_COOKIE', async () => {
    const t = testEnv();
    const fake = fakeBackend(strictDir(nameList(3)));
    const dirFh = t.addExport('/e', fake.backend).fh(DIR);
    const res = await callProc(readdir(t.support), { dir: dirFh, cookie: 99n, cookieverf: VERF, count: 4096 });
    assert.deepEqual(res, { status: NfsStat3.BAD_COOKIE, dirAttributes: DIR_ATTRS });
  });
});

describe('READDIR failures', () => {
  test('errno from the backend maps to nfsstat3, with the directory attributes', async () => {
    const t = testEnv();
    const fake = fakeBackend({
      async readdir() {
        throw errno('ENOTDIR');
      },
      async getattr() {
        return FATTR;
      },
    });
    const fh = t.addExport('/e', fake.backend).fh(Buffer.from('file'));
    const res = await callProc(readdir(t.support), { dir: fh, cookie: 0n, cookieverf: ZERO, count: 4096 });
    assert.deepEqual(res, { status: NfsStat3.NOTDIR, dirAttributes: FATTR });
  });

  test('a handle this server never issued is BADHANDLE, without attributes', async () => {
    const t = testEnv();
    const fake = fakeBackend({});
    t.addExport('/e', fake.backend);
    const res = await callProc(readdirplus(t.support), {
      dir: Buffer.alloc(32, 1),
      cookie: 0n,
      cookieverf: ZERO,
      dircount: 100,
      maxcount: 1000,
    });
    assert.deepEqual(res, { status: NfsStat3.BADHANDLE, dirAttributes: undefined });
    assert.equal(fake.calls.length, 0);
  });
});

describe('READDIRPLUS paging', () => {
  test('every entry once with its attributes and a client handle; maxcount and dircount respected', async () => {
    await fc.assert(
      fc.asyncProperty(
        names,
        fc.integer({ min: 200, max: 4000 }),
        fc.integer({ min: 0, max: 1500 }),
        pageCap,
        async (all, maxcount, dircount, cap) => {
          const { rdp, dirFh, env } = setup(all, { pageCap: cap ?? undefined });
          let next = 0;
          let cookie = 0n;
          for (let round = 0; ; round++) {
            assert.ok(round <= all.length + 1, 'no progress');
            const res: ReaddirplusResult = await callProc(rdp, { dir: dirFh, cookie, cookieverf: VERF, dircount, maxcount });
            if (res.status === NfsStat3.TOOSMALL) {
              const name = all[next];
              const nameHandle = env.exports.handleFor(env.exports.list()[0]!, handleOf(next));
              const need = name ? entryplus3Size({ fileid: 0n, name, cookie: 0n, nameAttributes: FATTR, nameHandle }) : 0;
              assert.ok(dirResOkOverhead(DIR_ATTRS) + need > maxcount);
              return;
            }
            assert.equal(res.status, NfsStat3.OK);
            assert.ok(encodedLength(rdp, res) - 4 <= maxcount, 'resok larger than maxcount');
            const dirBytes = res.reply.entries.reduce((n, e) => n + entryDirSize(e), 0);
            assert.ok(res.reply.entries.length <= 1 || dirBytes <= dircount, `dircount ${dircount} < ${dirBytes}`);
            for (const e of res.reply.entries) {
              assert.deepEqual(e.name, all[next]);
              assert.deepEqual(e.nameAttributes, attrsOf(next));
              const resolved = env.exports.resolve(e.nameHandle!);
              assert.deepEqual(resolved.handle, handleOf(next));
              next++;
            }
            if (res.reply.eof) break;
            assert.ok(res.reply.entries.length > 0, 'empty page without eof');
            cookie = res.reply.entries.at(-1)!.cookie;
          }
          assert.equal(next, all.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('dircount stops the page where the directory part would overflow it', async () => {
    const all = nameList(10, 8);
    const { rdp, dirFh, fake } = setup(all);
    const per = entryDirSize({ name: all[0]! }); // 8 + 4 + 8 + 8 = 28
    const res = await callProc(rdp, { dir: dirFh, cookie: 0n, cookieverf: ZERO, dircount: 4 * per + per - 1, maxcount: 65536 });
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.reply.entries.length, 4);
    assert.equal(res.reply.eof, false);
    const req = fake.calls.find((c) => c.method === 'readdir')!.args[1] as ReaddirRequest;
    assert.equal(req.withAttrs, true);
  });

  test('a dircount too small for any entry still returns one, so the client progresses', async () => {
    const { rdp, dirFh } = setup(nameList(3));
    const res = await callProc(rdp, { dir: dirFh, cookie: 0n, cookieverf: ZERO, dircount: 0, maxcount: 65536 });
    assert.ok(res.status === NfsStat3.OK);
    assert.equal(res.reply.entries.length, 1);
  });

  test('maxcount too small for the first entry is TOOSMALL', async () => {
    const { rdp, dirFh } = setup(nameList(3));
    const res = await callProc(rdp, { dir: dirFh, cookie: 0n, cookieverf: ZERO, dircount: 4096, maxcount: 150 });
    assert.deepEqual(res, { status: NfsStat3.TOOSMALL, dirAttributes: DIR_ATTRS });
  });

  test('eof exactly when the last entry fits', async () => {
    const all = nameList(2);
    const { rdp, dirFh, env } = setup(all);
    const exp = env.exports.list()[0]!;
    const sizes = all.map((name, i) =>
      entryplus3Size({ fileid: 0n, name, cookie: 0n, nameAttributes: FATTR, nameHandle: env.exports.handleFor(exp, handleOf(i)) }),
    );
    const maxcount = dirResOkOverhead(DIR_ATTRS) + sizes[0]! + sizes[1]!;
    const full = await callProc(rdp, { dir: dirFh, cookie: 0n, cookieverf: ZERO, dircount: 4096, maxcount });
    assert.ok(full.status === NfsStat3.OK);
    assert.deepEqual([full.reply.entries.length, full.reply.eof], [2, true]);
    assert.equal(encodedLength(rdp, full) - 4, maxcount);
    const short = await callProc(rdp, { dir: dirFh, cookie: 0n, cookieverf: ZERO, dircount: 4096, maxcount: maxcount - 1 });
    assert.ok(short.status === NfsStat3.OK);
    assert.deepEqual([short.reply.entries.length, short.reply.eof], [1, false]);
  });
});
