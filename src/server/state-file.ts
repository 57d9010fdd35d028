/**
 * A small JSON document in the state directory (the mount list, the status
 * monitor's list): written whole, durably, and coalesced, so any number of
 * changes in a burst cost one write.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from './log.js';

export class StateFile<T> {
  private dirty = false;
  /** The write in progress, and the one queued behind it that every later flush() joins. */
  private writing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** `snapshot` gives the document as it is now; it is called when a write starts, not when changes are made. */
  constructor(
    readonly file: string,
    private readonly snapshot: () => T,
  ) {}

  /**
   * The parsed document, or undefined when there is none yet. An unreadable
   * or unparsable file is logged and read as none: these files record state
   * worth having, never data whose loss must stop the server.
   */
  static async read(file: string, what: string, log: Logger): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`${what} unreadable, starting empty`, { file, err });
      return undefined;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      log.warn(`${what} corrupt, starting empty`, { file, err });
      return undefined;
    }
  }

  /** Something changed: the next flush() writes. */
  changed(): void {
    this.dirty = true;
  }

  /**
   * Persists the document. Calls made while a write is in flight join one
   * queued write, which starts after it and captures everything up to then:
   * at most one write in flight, at most one queued, however often this is
   * called. Resolves once a write containing the caller's changes is durable.
   */
  flush(): Promise<void> {
    this.queued ??= (this.writing ?? Promise.resolve())
      .catch(() => {})
      // A turn of the event loop, so calls from the same burst share this write.
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.queued = undefined;
        const w = this.write();
        this.writing = w;
        return w.finally(() => {
          if (this.writing === w) this.writing = undefined;
        });
      });
    return this.queued;
  }

  /** Temp file, fsync, rename, fsync of the directory: the file is always the old document or the new one. */
  private async write(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const file = this.file;
    const tmp = `${file}.tmp`;
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        // The mode of open() applies only to a new file; a leftover temp file keeps its own.
        await fh.chmod(0o600);
        await fh.writeFile(JSON.stringify(this.snapshot()) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
      const dir = await open(dirname(file), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }
}
