import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { defaultStateDir, StateDir } from '../../src/server/state-dir.js';

describe('StateDir', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-statedir-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('creates the directory 0700 and a 32-byte key 0600, leaving no temporary file', async () => {
    const dir = path.join(root, 'a', 'b');
    const s = await StateDir.open(dir);
    const key = await s.handleKey();
    assert.equal(key.length, 32);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(s.file('handle-key'))).mode & 0o777, 0o600);
    assert.deepEqual(await readFile(s.file('handle-key')), key);
    assert.deepEqual(await readdir(dir), ['handle-key']);
  });

  test('the key is reused, by this and by a later instance', async () => {
    const s = await StateDir.open(root);
    const k1 = await s.handleKey();
    assert.deepEqual(await s.handleKey(), k1);
    assert.deepEqual(await (await StateDir.open(root)).handleKey(), k1);
  });

  test('concurrent first starts agree on one key', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, async () => (await StateDir.open(root)).handleKey()));
    for (const k of keys) assert.deepEqual(k, keys[0]);
  });

  test('a key of the wrong size is an error, never silently replaced', async () => {
    await writeFile(path.join(root, 'handle-key'), Buffer.alloc(5));
    await assert.rejects((await StateDir.open(root)).handleKey(), /holds 5 bytes/);
    assert.equal((await readFile(path.join(root, 'handle-key'))).length, 5);
  });

  test('the default is under XDG_STATE_HOME for a user, /var/lib for root', () => {
    const saved = process.env.XDG_STATE_HOME;
    try {
      process.env.XDG_STATE_HOME = '/tmp/xdg';
      const expected = process.getuid?.() === 0 ? '/var/lib/nfs-node' : '/tmp/xdg/nfs-node';
      assert.equal(defaultStateDir(), expected);
    } finally {
      if (saved === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = saved;
    }
  });
});
