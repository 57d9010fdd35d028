import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { holdersOn, makeDev } from '../../src/server/holders.js';

describe('holdersOn', { skip: process.getuid?.() === 0 ? false : 'needs root to mount a tmpfs' }, () => {
  let dir: string;
  let dev: number;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'holders-'));
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', dir]);
    dev = statSync(dir).dev;
  });

  after(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true });
  });

  test('an open descriptor on the filesystem is named, and gone once closed', async () => {
    await writeFile(join(dir, 'f'), 'x');
    assert.deepEqual(await holdersOn(dev), []);
    const fh = await open(join(dir, 'f'));
    const held = await holdersOn(dev);
    assert.equal(held.length, 1);
    assert.equal(held[0]!.kind, 'fd');
    assert.equal(held[0]!.fd, fh.fd);
    assert.equal(held[0]!.path, join(dir, 'f'));
    await fh.close();
    assert.deepEqual(await holdersOn(dev), []);
  });

  test('makeDev matches the kernel encoding of st_dev', () => {
    const st = statSync('/proc/self/exe');
    const major = Math.floor(st.dev / 256) & 0xfff;
    const minor = (st.dev & 0xff) | (Math.floor(st.dev / 0x1000) & ~0xff);
    assert.equal(makeDev(major, minor), st.dev);
  });
});
