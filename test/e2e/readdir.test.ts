/** READDIR and READDIRPLUS end to end: contents, paging, budgets, errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateMode, Ftype3, NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { READDIR, type Entry3 } from '../../src/proto/nfs3/readdir.js';
import { READDIRPLUS, type Entryplus3 } from '../../src/proto/nfs3/readdirplus.js';
import type { FileHandle } from '../../src/proto/nfs3/types.js';
import { XdrWriter } from '../../src/xdr/writer.js';
import { expectStatus, forEachBackend, name, type E2e } from './harness.js';

const ZERO_VERF = Buffer.alloc(8);
const N = 2000;

async function populate(e: E2e, dir: FileHandle, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 250) {
    await Promise.all(
      names.slice(i, i + 250).map((n) => e.nfs.create({ where: { dir, name: name(n) }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } })),
    );
  }
}

/** Encoded size of the resok structure as it went on the wire (the result less its status word), which count and maxcount bound (RFC 1813 3.3.16, 3.3.17). */
function resokSize<R>(write: (w: XdrWriter, v: R) => void, v: R): number {
  const w = new XdrWriter();
  write(w, v);
  return w.length - 4;
}

type Lister = (cookie: bigint, verf: Buffer) => Promise<{ entries: (Entry3 | Entryplus3)[]; eof: boolean; verf: Buffer }>;

function listers(e: E2e, dir: FileHandle, small: number): Record<string, Lister> {
  return {
    READDIR: async (cookie, verf) => {
      const res = await e.nfs.readdir({ dir, cookie, cookieverf: verf, count: small });
      assert.ok(resokSize(READDIR.writeResult, res) <= small, 'reply within count');
      return { entries: res.reply.entries, eof: res.reply.eof, verf: Buffer.from(res.cookieverf) };
    },
    READDIRPLUS: async (cookie, verf) => {
      const res = await e.nfs.readdirplus({ dir, cookie, cookieverf: verf, dircount: small / 2, maxcount: small * 2 });
      assert.ok(resokSize(READDIRPLUS.writeResult, res) <= small * 2, 'reply within maxcount');
      return { entries: res.reply.entries, eof: res.reply.eof, verf: Buffer.from(res.cookieverf) };
    },
  };
}

/** Lists the whole directory page by page; `between` runs after every page. */
async function listAll(list: Lister, between?: (page: number) => Promise<void>): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let cookie = 0n;
  let verf: Buffer = ZERO_VERF;
  for (let pages = 1; ; pages++) {
    const page = await list(cookie, verf);
    assert.ok(page.entries.length > 0 || page.eof, 'a page that is not the last has entries');
    for (const en of page.entries) {
      assert.notEqual(en.cookie, 0n);
      names.push(en.name.toString());
    }
    if (page.eof) return { names, pages };
    cookie = page.entries.at(-1)!.cookie;
    verf = page.verf;
    await between?.(pages);
  }
}

forEachBackend('READDIR/READDIRPLUS', (env) => {
  test('READDIR lists ".", "..", and every name with its fileid; eof; the dir attributes', async () => {
    const e = env();
    const dir = await e.fresh();
    const f = await e.file(dir, 'a');
    await e.nfs.mkdir({ where: { dir, name: name('b') }, attributes: {} });
    const res = await e.nfs.readdir({ dir, cookie: 0n, cookieverf: ZERO_VERF, count: 8192 });
    assert.equal(res.reply.eof, true);
    assert.equal(res.dirAttributes?.fileid, (await e.getattr(dir)).fileid);
    const byName = new Map(res.reply.entries.map((x) => [x.name.toString(), x.fileid]));
    assert.deepEqual([...byName.keys()].sort(), ['.', '..', 'a', 'b']);
    assert.equal(byName.get('.'), (await e.getattr(dir)).fileid);
    assert.equal(byName.get('..'), (await e.getattr(e.root)).fileid);
    assert.equal(byName.get('a'), (await e.getattr(f)).fileid);
  });

  test('READDIRPLUS gives each entry a working handle and its attributes', async () => {
    const e = env();
    const dir = await e.fresh();
    await e.file(dir, 'f', 'four');
    await e.nfs.symlink({ where: { dir, name: name('l') }, symlink: { symlinkAttributes: {}, symlinkData: name('f') } });
    const res = await e.nfs.readdirplus({ dir, cookie: 0n, cookieverf: ZERO_VERF, dircount: 4096, maxcount: 32768 });
    const f = res.reply.entries.find((x) => x.name.toString() === 'f')!;
    assert.equal(f.nameAttributes?.size, 4n);
    assert.ok(f.nameHandle);
    assert.deepEqual(await e.getattr(Buffer.from(f.nameHandle)), f.nameAttributes);
    const l = res.reply.entries.find((x) => x.name.toString() === 'l')!;
    assert.equal(l.nameAttributes?.type, Ftype3.LNK);
    for (const en of res.reply.entries) assert.equal(en.fileid, en.nameAttributes?.fileid ?? en.fileid);
  });

  test('a count too small for one entry -> TOOSMALL; READDIR(PLUS) of a file -> NOTDIR', async () => {
    const e = env();
    const dir = await e.fresh();
    await e.file(dir, 'f');
    expectStatus(await e.nfs.call(READDIR, { dir, cookie: 0n, cookieverf: ZERO_VERF, count: 8 }), NfsStat3.TOOSMALL, 'READDIR count 8');
    expectStatus(
      await e.nfs.call(READDIRPLUS, { dir, cookie: 0n, cookieverf: ZERO_VERF, dircount: 8, maxcount: 8 }),
      NfsStat3.TOOSMALL,
      'READDIRPLUS maxcount 8',
    );
    const f = await e.lookup(dir, 'f');
    const nd = expectStatus(await e.nfs.call(READDIR, { dir: f, cookie: 0n, cookieverf: ZERO_VERF, count: 4096 }), NfsStat3.NOTDIR);
    assert.equal(nd.dirAttributes?.type, Ftype3.REG);
    expectStatus(await e.nfs.call(READDIRPLUS, { dir: f, cookie: 0n, cookieverf: ZERO_VERF, dircount: 4096, maxcount: 8192 }), NfsStat3.NOTDIR);
  });

  test(`paging through ${N} entries with small counts: every name exactly once, cookies continue`, async () => {
    const e = env();
    const dir = await e.fresh();
    const names = Array.from({ length: N }, (_, i) => `entry-${i.toString().padStart(5, '0')}`);
    await populate(e, dir, names);
    for (const [proc, list] of Object.entries(listers(e, dir, 1024))) {
      const { names: got, pages } = await listAll(list);
      assert.ok(pages > 20, `${proc}: ${pages} pages`);
      assert.equal(got.length, new Set(got).size, `${proc}: no name twice`);
      assert.deepEqual(got.filter((n) => n !== '.' && n !== '..').sort(), names, `${proc}: every name`);
    }
  });

  test('entries created between pages cause no skips or repeats of the others', async () => {
    const e = env();
    const dir = await e.fresh();
    const names = Array.from({ length: 600 }, (_, i) => `n${i}`);
    await populate(e, dir, names);
    for (const [proc, list] of Object.entries(listers(e, dir, 1024))) {
      const { names: got } = await listAll(list, async (page) => {
        const n = `${proc}-added-${page}`;
        await e.nfs.create({ where: { dir, name: name(n) }, how: { mode: CreateMode.UNCHECKED, objAttributes: {} } });
      });
      assert.equal(got.length, new Set(got).size, `${proc}: no name twice`);
      const originals = got.filter((n) => names.includes(n));
      assert.equal(originals.length, names.length, `${proc}: every original name once`);
      for (const n of got) assert.ok(names.includes(n) || n.includes('-added-') || n === '.' || n === '..', n);
    }
  });

  test('restarting from cookie 0 after a page is always allowed; an old verifier is tolerated', async () => {
    const e = env();
    const dir = await e.fresh();
    await populate(e, dir, ['a', 'b', 'c']);
    const first = await e.nfs.readdir({ dir, cookie: 0n, cookieverf: ZERO_VERF, count: 8192 });
    await e.file(dir, 'd');
    const again = await e.nfs.readdir({ dir, cookie: 0n, cookieverf: Buffer.from(first.cookieverf), count: 8192 });
    assert.ok(again.reply.entries.some((x) => x.name.toString() === 'd'));
    const cookieOfB = again.reply.entries.find((x) => x.name.toString() === 'b')!.cookie;
    const after = await e.nfs.readdir({ dir, cookie: cookieOfB, cookieverf: Buffer.from(first.cookieverf), count: 8192 });
    assert.ok(!after.reply.entries.some((x) => x.name.toString() === 'b'), 'listing resumes after the cookie');
  });
});
