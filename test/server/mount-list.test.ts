import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, mock, test } from 'node:test';
import { createLogger } from '../../src/server/log.js';
import { isWithin, MountList } from '../../src/server/mount-list.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mount-list-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileNo = 0;
const freshFile = (): string => join(dir, `rmtab-${++fileNo}.json`);

function capturingLogger(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ level: 'debug', write: (l) => lines.push(l) }), lines };
}

describe('in memory', () => {
  test('add, list, remove, removeAll', async () => {
    const m = await MountList.load(undefined);
    m.add('10.0.0.1', '/srv', 100);
    m.add('10.0.0.1', '/srv/sub', 110);
    m.add('10.0.0.2', '/srv', 120);
    assert.equal(m.list().length, 3);
    assert.deepEqual(m.remove('10.0.0.1', '/srv'), { host: '10.0.0.1', path: '/srv', mountedAt: 100, lastSeen: 100 });
    assert.equal(m.remove('10.0.0.1', '/srv'), undefined);
    assert.deepEqual(
      m.removeAll('10.0.0.1').map((e) => e.path),
      ['/srv/sub'],
    );
    assert.deepEqual(m.removeAll('10.0.0.1'), []);
    assert.deepEqual(
      m.list().map((e) => e.host),
      ['10.0.0.2'],
    );
  });

  test('mounting again keeps mountedAt and refreshes lastSeen', async () => {
    const m = await MountList.load(undefined);
    m.add('h', '/srv', 100);
    m.add('h', '/srv', 200);
    assert.deepEqual(m.list(), [{ host: 'h', path: '/srv', mountedAt: 100, lastSeen: 200 }]);
  });

  test('touch of an export path covers mounts below it, and only that host', async () => {
    const m = await MountList.load(undefined);
    m.add('h', '/srv/sub', 100);
    m.add('h', '/srvx', 100);
    m.add('other', '/srv', 100);
    m.touch('h', '/srv', 500);
    const seen = Object.fromEntries(m.list().map((e) => [`${e.host}:${e.path}`, e.lastSeen]));
    assert.deepEqual(seen, { 'h:/srv/sub': 500, 'h:/srvx': 100, 'other:/srv': 100 });
  });

  test('expire removes entries not seen for longer than the limit', async () => {
    const m = await MountList.load(undefined);
    m.add('a', '/srv', 1000);
    m.add('b', '/srv', 5000);
    m.touch('a', '/srv', 2000);
    const removed = m.expire(2500, 5000);
    assert.deepEqual(removed.map((e) => e.host), ['a']);
    assert.deepEqual(m.list().map((e) => e.host), ['b']);
  });

  test('list returns copies', async () => {
    const m = await MountList.load(undefined);
    m.add('a', '/srv', 1);
    m.list()[0]!.lastSeen = 99;
    assert.equal(m.list()[0]!.lastSeen, 1);
  });

  test('under() finds the mounts of an export', async () => {
    const m = await MountList.load(undefined);
    m.add('a', '/srv', 1);
    m.add('b', '/srv/x/y', 1);
    m.add('c', '/srv2', 1);
    assert.deepEqual(m.under('/srv').map((e) => e.host), ['a', 'b']);
  });

  test('flush without a file does nothing', async () => {
    const m = await MountList.load(undefined);
    m.add('a', '/srv', 1);
    await m.flush();
  });
});

test('isWithin', () => {
  assert.ok(isWithin('/srv', '/srv'));
  assert.ok(isWithin('/srv/a', '/srv'));
  assert.ok(!isWithin('/srv2', '/srv'));
  assert.ok(isWithin('/anything', '/'));
});

describe('persistence', () => {
  test('a missing file is an empty list', async () => {
    const m = await MountList.load(freshFile());
    assert.deepEqual(m.list(), []);
  });

  test('load after flush gives the same entries; mode 0600; no temp file left', async () => {
    const file = freshFile();
    const m = await MountList.load(file);
    m.add('10.0.0.1', '/srv', 100);
    m.add('::1', '/srv/sub', 200);
    m.touch('10.0.0.1', '/srv', 300);
    await m.flush();
    const again = await MountList.load(file);
    assert.deepEqual(again.list(), m.list());
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.startsWith(file.slice(dir.length + 1)) && n.endsWith('.tmp')),
      [],
    );
  });

  test('removals are persisted', async () => {
    const file = freshFile();
    const m = await MountList.load(file);
    m.add('a', '/srv', 1);
    await m.flush();
    m.remove('a', '/srv');
    await m.flush();
    assert.deepEqual((await MountList.load(file)).list(), []);
  });

  test('a corrupt file is logged and ignored, then replaced by the next flush', async () => {
    const file = freshFile();
    await writeFile(file, '{"version": 1, "entries": [');
    const { log, lines } = capturingLogger();
    const m = await MountList.load(file, log);
    assert.deepEqual(m.list(), []);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /corrupt/);
    m.add('a', '/srv', 1);
    await m.flush();
    assert.equal((await MountList.load(file)).list().length, 1);
  });

  test('a file of another format is ignored; invalid entries are skipped', async () => {
    const { log, lines } = capturingLogger();
    const other = freshFile();
    await writeFile(other, JSON.stringify([{ host: 'a', path: '/srv' }]));
    assert.deepEqual((await MountList.load(other, log)).list(), []);
    const mixed = freshFile();
    const good = { host: 'a', path: '/srv', mountedAt: 1, lastSeen: 2 };
    await writeFile(mixed, JSON.stringify({ version: 1, entries: [good, { host: 'b' }, null] }));
    assert.deepEqual((await MountList.load(mixed, log)).list(), [good]);
    assert.equal(lines.length, 2);
  });

  test('an unreadable file is logged and ignored', async () => {
    const { log, lines } = capturingLogger();
    const m = await MountList.load(dir, log); // a directory: EISDIR
    assert.deepEqual(m.list(), []);
    assert.equal(lines.length, 1);
  });

  test('a failed write rejects, and the next flush writes again', async () => {
    const m = await MountList.load(join(dir, 'no-such-dir', 'rmtab.json'));
    m.add('a', '/srv', 1);
    await assert.rejects(m.flush(), { code: 'ENOENT' });
    await assert.rejects(m.flush(), { code: 'ENOENT' });
  });
});

describe('flush coalescing', () => {
  /** Counts renames (one per write) and lets the test hold a write in flight. */
  function instrumentRename() {
    const fs = (fsp as unknown as { default: typeof fsp }).default;
    const original = fs.rename;
    let gate: Promise<void> = Promise.resolve();
    let open: () => void = () => {};
    let entered: () => void = () => {};
    let enteredP: Promise<void> = Promise.resolve();
    const state = {
      renames: 0,
      hold() {
        gate = new Promise((r) => (open = r));
        enteredP = new Promise((r) => (entered = r));
      },
      release: () => open(),
      inFlight: () => enteredP,
    };
    mock.method(fs, 'rename', async (from: string, to: string) => {
      state.renames++;
      entered();
      await gate;
      return original(from, to);
    });
    syncBuiltinESMExports();
    return state;
  }

  after(() => {
    mock.restoreAll();
    syncBuiltinESMExports();
  });

  test('calls in one burst share one write; calls during a write share one more', async () => {
    const spy = instrumentRename();
    const file = freshFile();
    const m = await MountList.load(file);

    m.add('a', '/srv', 1);
    const burst = Array.from({ length: 10 }, () => m.flush());
    assert.ok(burst.every((p) => p === burst[0]));
    await Promise.all(burst);
    assert.equal(spy.renames, 1);

    spy.hold();
    m.add('b', '/srv', 2);
    const first = m.flush();
    await spy.inFlight();
    m.add('c', '/srv', 3);
    const during = Array.from({ length: 5 }, () => m.flush());
    assert.ok(during.every((p) => p === during[0]));
    assert.notEqual(during[0], first);
    spy.release();
    await Promise.all([first, ...during]);
    assert.equal(spy.renames, 3);
    assert.deepEqual((await MountList.load(file)).list().map((e) => e.host), ['a', 'b', 'c']);

    await m.flush();
    assert.equal(spy.renames, 3, 'nothing changed: no write');
  });

  test('repeated fire-and-forget flushes end with every entry on disk', async () => {
    const file = freshFile();
    const m = await MountList.load(file);
    for (let i = 0; i < 20; i++) {
      m.add(`h${i}`, '/srv', i);
      void m.flush();
    }
    await m.flush();
    assert.equal(JSON.parse(await readFile(file, 'utf8')).entries.length, 20);
  });
});
