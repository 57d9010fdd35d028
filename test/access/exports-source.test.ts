/** The exports file as the CLI serves it: mountpoint leaves out an export whose filesystem is not mounted. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MemoryBackend } from '../../src/backend/memory/index.js';
import { exportsFromFile } from '../../src/cli/exports-source.js';
import { silentLogger } from '../../src/server/log.js';

test('mountpoint: served only while a filesystem is mounted there; fsid and client list passed on', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-mp-'));
  try {
    const file = path.join(dir, 'exports');
    // "/" is always a mount point; a fresh temporary directory never is.
    await writeFile(file, `/ *(ro,mountpoint,fsid=3)\n${dir} *(rw,mp)\n${dir}/x *(rw,mp=/)\n`);
    const made: string[] = [];
    const specs = await exportsFromFile(file, async (p) => (made.push(p), new MemoryBackend()), { whileDetached: 'hold' }, silentLogger);
    assert.deepEqual(specs.map((s) => s.path), ['/', `${dir}/x`]);
    assert.equal(specs[0]!.id, 3);
    assert.equal(specs[1]!.id, undefined);
    assert.deepEqual(specs[0]!.options?.clients?.map((c) => c.host), ['*']);
    assert.equal(specs[0]!.options?.whileDetached, 'hold');
    assert.deepEqual(made, [], 'backends are made only when asked for');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
