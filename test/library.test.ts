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
import { createLocalBackend, MemoryBackend, Nlm4Stat, NlmClient, NfsFs, NfsServer } from '../src/index.js';

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
        // Lock it over NLM, as a lock-aware program would.
        const { handle } = await fs.resolve('/hello.txt');
        const nlm = await NlmClient.connect({ host: '127.0.0.1', port });
        try {
          const alock = { callerName: 'library-test', fh: handle, oh: Buffer.from('me'), svid: process.pid, offset: 0n, length: 0n };
          const res = await nlm.lock({ cookie: Buffer.from('c1'), block: false, exclusive: true, alock, reclaim: false, state: 1 });
          assert.equal(res.stat, Nlm4Stat.GRANTED);
          assert.equal((await nlm.unlock({ cookie: Buffer.from('c2'), alock })).stat, Nlm4Stat.GRANTED);
        } finally {
          await nlm.close();
        }
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
