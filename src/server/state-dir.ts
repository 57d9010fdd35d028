/**
 * The server's state directory: what must outlive a restart and must not live
 * on the exported media (field notes: handles keep resolving after a restart
 * only if their secret and indexes are kept off the export).
 *
 *   handle-key   32 random bytes, the MAC secret of every file handle (0600)
 *   rmtab.json   the MOUNT list, so DUMP survives a restart
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const HANDLE_KEY = 'handle-key';
const HANDLE_KEY_BYTES = 32;
export const MOUNT_LIST_FILE = 'rmtab.json';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** /var/lib/nfs-node for root, else $XDG_STATE_HOME/nfs-node (~/.local/state/nfs-node). */
export function defaultStateDir(): string {
  if (isRoot()) return '/var/lib/nfs-node';
  const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'nfs-node');
}

export class StateDir {
  private constructor(readonly dir: string) {}

  /** Creates the directory (0700: it holds the handle secret) if missing. */
  static async open(dir: string): Promise<StateDir> {
    const abs = path.resolve(dir);
    await mkdir(abs, { recursive: true, mode: 0o700 });
    return new StateDir(abs);
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /**
   * The handle secret: created once, then reused, so handles survive restarts.
   * A key file of the wrong size is an error, never silently replaced: a new
   * key would turn every handle clients hold into BADHANDLE.
   */
  async handleKey(): Promise<Buffer> {
    const file = this.file(HANDLE_KEY);
    try {
      return checkKey(file, await readFile(file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // Written aside, then linked into place: link() never replaces an existing
    // file (a concurrent starter's key wins) and a crash never leaves a short key.
    const key = randomBytes(HANDLE_KEY_BYTES);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(key);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await link(tmp, file);
      await syncDir(this.dir);
      return key;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return checkKey(file, await readFile(file));
    } finally {
      await unlink(tmp);
    }
  }
}

/** Makes a new directory entry durable (the key must survive a power loss, or every handle goes stale). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function checkKey(file: string, key: Buffer): Buffer {
  if (key.length !== HANDLE_KEY_BYTES) {
    throw new Error(`${file} holds ${key.length} bytes, expected ${HANDLE_KEY_BYTES}: restore it or delete it (clients' handles then go stale)`);
  }
  return key;
}
