import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ControlError, ControlServer, request } from '../../src/admin/control.js';

describe('control socket', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'control-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('answers commands, reports handler errors and unknown commands', async () => {
    const path = join(dir, 'a.sock');
    const server = new ControlServer(path, {
      echo: async (args) => ({ got: args }),
      fail: async () => {
        throw new Error('export /x is busy');
      },
    });
    await server.listen();
    try {
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(await request(path, 'echo', { export: '/srv' }), { got: { export: '/srv' } });
      await assert.rejects(request(path, 'fail'), (e: unknown) => e instanceof ControlError && /busy/.test(e.message));
      await assert.rejects(request(path, 'constructor'), /unknown command/);
    } finally {
      await server.close();
    }
  });

  test('a stale socket file is replaced; a live server is not', async () => {
    const path = join(dir, 'b.sock');
    await writeFile(path, '');
    const live = new ControlServer(path, {});
    await live.listen();
    try {
      assert.equal(await request(path, 'ping'), 'pong');
      await assert.rejects(new ControlServer(path, {}).listen(), /already running/);
    } finally {
      await live.close();
    }
  });
});
