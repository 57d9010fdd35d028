/**
 * What is particular to the local backend beyond the conformance suite:
 * per-thread identities never leak into other work on the threadpool, the
 * export is never left (mounts inside it, ".." of a subtree root), large
 * directories page correctly, and creation fails clearly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, promises as fsp, statSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { OpContext } from '../../src/backend/backend.js';
import { statusOf } from '../../src/backend/errors.js';
import { createLocalBackend } from '../../src/backend/local/index.js';
import { CreateMode, NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { assertNothingHeld } from '../helpers/fd-tracker.js';
import { isRoot, Scratch } from '../helpers/mounts.js';

const ROOT: OpContext = { cred: { uid: 0, gid: 0, gids: [] } };
const as = (uid: number): OpContext => ({ cred: { uid, gid: uid, gids: [uid + 1] } });
const n = (s: string): Buffer => Buffer.from(s);

describe('local backend specifics', { skip: isRoot() ? false : 'needs root (mount, CAP_DAC_READ_SEARCH)' }, () => {
  const s = new Scratch();
  let fs = '';
  before(() => {
    fs = s.tmpfs('fs');
  });
  after(() => s.cleanup());

  it("clients' identities never leak into the server's own file operations on the shared threadpool", async (t) => {
    const path = s.mkdir('fs-creds');
    const export_ = `${fs}/creds`;
    mkdirSync(export_);
    chmodSync(export_, 0o777);
    const b = await createLocalBackend({ path: export_ });
    t.after(() => b.close());
    const root = await b.root(ROOT);
    const clientWork = Array.from({ length: 200 }, (_, i) =>
      b.create(root, n(`f${i}`), { mode: CreateMode.GUARDED, attrs: { mode: 0o644 } }, as(1000 + (i % 7))),
    );
    // Node's own fs calls run on the same worker threads, and must keep running as root.
    const serverWork = Array.from({ length: 200 }, (_, i) => fsp.writeFile(`${path}/s${i}`, 'x', { mode: 0o600 }));
    const created = await Promise.all(clientWork);
    await Promise.all(serverWork);
    created.forEach((c, i) => assert.equal(c.attrs.uid, 1000 + (i % 7), 'each file is owned by its creator'));
    for (let i = 0; i < 200; i++) assert.equal(statSync(`${path}/s${i}`).uid, 0, 'server files stay root-owned');
    await b.close();
    assertNothingHeld(fs);
  });

  it('a directory of 150,000 names is listed and paged within a 24 MiB JavaScript heap', () => {
    const big = `${fs}/huge`;
    mkdirSync(big);
    writeFileSync(`${big}/0`, '');
    for (let i = 1; i < 150_000; i++) linkSync(`${big}/0`, `${big}/name-of-a-usual-length-${i}`);
    // An object per listed name (~200 bytes of heap each) needed 30 MiB here and ran out.
    const backend = new URL('../../src/backend/local/index.js', import.meta.url).href;
    const script = `
      const { createLocalBackend } = await import(${JSON.stringify(backend)});
      const ctx = { cred: { uid: 0, gid: 0, gids: [] } };
      const b = await createLocalBackend({ path: ${JSON.stringify(big)} });
      const root = await b.root(ctx);
      let cookie = 0n, pages = 0, names = 0;
      for (; pages < 3; pages++) {
        const p = await b.readdir(root, { cookie, verifier: Buffer.alloc(8), maxEntries: 500, withAttrs: pages === 1 }, ctx);
        names += p.entries.length;
        cookie = p.entries.at(-1).cookie;
      }
      await b.close();
      process.stdout.write(String(names));`;
    const out = execFileSync(process.execPath, ['--max-old-space-size=24', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(out, '1500');
  });

  it('".." of a subtree export root stays on the root; mounts inside the export are not entered', async () => {
    const top = `${fs}/top`;
    mkdirSync(`${top}/export/inner`, { recursive: true });
    const b = await createLocalBackend({ path: `${top}/export` });
    const root = await b.root(ROOT);
    assert.ok((await b.lookup(root, n('..'), ROOT)).handle.equals(root));
    const inner = (await b.lookup(root, n('inner'), ROOT)).handle;
    assert.ok((await b.lookup(inner, n('..'), ROOT)).handle.equals(root));

    const other = s.tmpfs('fs/top/export/inner/mnt');
    try {
      await assert.rejects(b.lookup(inner, n('mnt'), ROOT), (err) => statusOf(err) === NfsStat3.ACCES);
      const page = await b.readdir(inner, { cookie: 0n, verifier: Buffer.alloc(8), maxEntries: 10, withAttrs: true }, ROOT);
      const mnt = page.entries.find((e) => e.name.toString() === 'mnt');
      assert.ok(mnt && mnt.handle === undefined, 'a mount point is listed, without a handle');
    } finally {
      await b.close();
      s.umount(other);
    }
    assertNothingHeld(fs);
  });

  it('pages through 10,000 entries with READDIRPLUS, each exactly once', async () => {
    const dir = `${fs}/big`;
    mkdirSync(dir);
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => fsp.writeFile(`${dir}/entry-${i}`, '')));
    const b = await createLocalBackend({ path: dir });
    const root = await b.root(ROOT);
    const seen = new Set<string>();
    let cookie = 0n;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 1000);
      const page = await b.readdir(root, { cookie, verifier: Buffer.alloc(8), maxEntries: 500, withAttrs: true }, ROOT);
      for (const e of page.entries) {
        const name = e.name.toString();
        assert.ok(!seen.has(name), `${name} listed twice`);
        assert.ok(e.handle && e.attrs, `${name} has a handle and attributes`);
        seen.add(name);
      }
      if (page.eof) break;
      cookie = page.entries[page.entries.length - 1]!.cookie;
    }
    assert.equal(seen.size, 10_002);
    await b.close();
    assertNothingHeld(fs);
  });

  it('refuses paths it cannot export, saying why', async () => {
    await assert.rejects(createLocalBackend({ path: `${fs}/missing` }), /cannot export .*missing.*ENOENT/);
    await assert.rejects(createLocalBackend({ path: '/proc/self' }), /cannot export/);
  });
});
