/**
 * The README's library example, through the package's public entry point:
 * a server embedded with a local and an in-memory export, used with the
 * client library.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLocalBackend, MemoryBackend, NfsFs, NfsServer } from '../src/index.js';

test('embed the server with a local and a memory export, use it with NfsFs', async () => {
  const data = await mkdtemp(join(tmpdir(), 'library-data-'));
  const state = await mkdtemp(join(tmpdir(), 'library-state-'));
  const server = new NfsServer({
    exports: [
      { path: '/data', backend: await createLocalBackend({ path: data }), options: { noRootSquash: true } },
      { path: '/scratch', backend: new MemoryBackend(), options: { noRootSquash: true } },
    ],
    host: '127.0.0.1',
    port: 0,
    portmap: false,
    stateDir: state,
  });
  await server.start();
  try {
    const { port } = server.address();
    for (const path of ['/data', '/scratch']) {
      const fs = await NfsFs.mount({ host: '127.0.0.1', port, mountPort: port, path });
      try {
        await fs.writeFile('/hello.txt', Buffer.from(`hi from ${path}`));
        assert.equal((await fs.readFile('/hello.txt')).toString(), `hi from ${path}`);
      } finally {
        await fs.unmount();
      }
    }
    assert.equal(await readFile(join(data, 'hello.txt'), 'utf8'), 'hi from /data');
  } finally {
    await server.stop();
    await rm(data, { recursive: true, force: true });
    await rm(state, { recursive: true, force: true });
  }
});
