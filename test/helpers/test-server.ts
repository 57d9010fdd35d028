/**
 * A whole server for end-to-end tests: 127.0.0.1, an ephemeral port (the
 * same for TCP and UDP), a temporary state directory, no portmapper.
 */
import { chmod, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Backend } from '../../src/backend/backend.js';
import { createLocalBackend } from '../../src/backend/local/index.js';
import { MemoryBackend } from '../../src/backend/memory/index.js';
import type { ExportOptions } from '../../src/server/exports.js';
import type { Logger } from '../../src/server/log.js';
import { NfsServer, type NfsServerOptions } from '../../src/server/nfs-server.js';

export interface TestServerOptions {
  /** Default 'memory'. */
  backend?: 'memory' | 'local';
  /** For 'local': the directory to export (default: a new temporary directory, removed by stop()). */
  dir?: string;
  exportOptions?: Partial<ExportOptions>;
  /** Reuse a state directory (to test restarts); default: a new one, removed by stop(). */
  stateDir?: string;
  log?: Logger;
  /** Anything else NfsServer takes (limits, udp, tcp...). */
  server?: Partial<Omit<NfsServerOptions, 'exports' | 'stateDir' | 'log'>>;
}

export interface TestServer {
  server: NfsServer;
  port: number;
  /** The path to mount. */
  exportPath: string;
  /** For 'local': the exported directory (reading it with the memory backend throws). */
  readonly dir: string;
  stateDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const cleanup: string[] = [];
  const tmp = async (prefix: string): Promise<string> => {
    const d = await realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
    cleanup.push(d);
    return d;
  };
  const stateDir = opts.stateDir ?? (await tmp('nfs-node-state-'));
  let backend: Backend;
  let exportPath: string;
  let dir: string | undefined;
  if (opts.backend === 'local') {
    if (opts.dir) dir = await realpath(opts.dir);
    else {
      dir = await tmp('nfs-node-export-');
      // mkdtemp makes it 0700: root-squashed clients (the default) could not even look inside.
      await chmod(dir, 0o777);
    }
    backend = await createLocalBackend({ path: dir });
    exportPath = dir;
  } else {
    backend = new MemoryBackend();
    exportPath = '/export';
  }
  const server = new NfsServer({
    host: '127.0.0.1',
    port: 0,
    portmap: false,
    ...opts.server,
    exports: [{ path: exportPath, backend, options: opts.exportOptions }],
    stateDir,
    log: opts.log,
  });
  try {
    await server.start();
  } catch (err) {
    for (const d of cleanup) await rm(d, { recursive: true, force: true });
    throw err;
  }
  return {
    server,
    port: server.address().port,
    exportPath,
    get dir(): string {
      if (dir === undefined) throw new Error('dir: the memory backend exports no directory');
      return dir;
    },
    stateDir,
    async stop() {
      await server.stop();
      for (const d of cleanup) await rm(d, { recursive: true, force: true });
    },
  };
}
