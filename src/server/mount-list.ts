/**
 * Who has mounted what (the MOUNT protocol's mount list, knfsd's rmtab):
 * kept in memory and, when given a file, persisted in the state directory so
 * DUMP and idle-release policy survive a restart.
 *
 * Entries are keyed by (client address, mounted directory). The directory is
 * what the client asked to mount: an export path or a directory below one.
 * The file is advisory: losing it loses no data, so a corrupt file is logged
 * and replaced, and callers need not wait for writes.
 */
import { createLogger, type Logger } from './log.js';
import { StateFile } from './state-file.js';

export interface MountEntry {
  /** The client's address. */
  host: string;
  /** The directory mounted: an export path or a directory below one. */
  path: string;
  mountedAt: number;
  lastSeen: number;
}

const FORMAT_VERSION = 1;

interface MountFile {
  version: number;
  entries: MountEntry[];
}

/** True when `path` is `root` or a directory below it (both normalised). */
export function isWithin(path: string, root: string): boolean {
  if (root === '/') return path.startsWith('/');
  return path === root || (path.startsWith(root) && path[root.length] === '/');
}

function isEntry(v: unknown): v is MountEntry {
  const e = v as Partial<MountEntry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.host === 'string' &&
    typeof e.path === 'string' &&
    Number.isFinite(e.mountedAt) &&
    Number.isFinite(e.lastSeen)
  );
}

export class MountList {
  /** host → path → entry: per-call touch() only scans one client's few entries. */
  private readonly byHost = new Map<string, Map<string, MountEntry>>();
  private readonly file: StateFile<MountFile> | undefined;

  private constructor(file: string | undefined) {
    this.file = file === undefined ? undefined : new StateFile(file, () => ({ version: FORMAT_VERSION, entries: this.list() }));
  }

  /**
   * Loads the list persisted in `file` (undefined: an in-memory list). A
   * missing file is an empty list; an unreadable or corrupt one is logged and
   * treated as empty, never fatal: it only loses the record of who mounted.
   */
  static async load(file: string | undefined, log: Logger = createLogger()): Promise<MountList> {
    const list = new MountList(file);
    if (file === undefined) return list;
    const parsed = (await StateFile.read(file, 'mount list', log)) as Partial<MountFile> | undefined;
    if (parsed === undefined) return list;
    if (parsed?.version !== FORMAT_VERSION || !Array.isArray(parsed.entries)) {
      log.warn('mount list has an unknown format, starting empty', { file });
      return list;
    }
    const valid = parsed.entries.filter(isEntry);
    if (valid.length !== parsed.entries.length) {
      log.warn('mount list has invalid entries, skipped', { file, skipped: parsed.entries.length - valid.length });
    }
    for (const e of valid) list.entriesOf(e.host, true).set(e.path, { ...e });
    return list;
  }

  private entriesOf(host: string, create: true): Map<string, MountEntry>;
  private entriesOf(host: string, create: false): Map<string, MountEntry> | undefined;
  private entriesOf(host: string, create: boolean): Map<string, MountEntry> | undefined {
    let m = this.byHost.get(host);
    if (!m && create) this.byHost.set(host, (m = new Map()));
    return m;
  }

  /** Records a mount; mounting again keeps the first mountedAt and refreshes lastSeen. */
  add(host: string, path: string, now = Date.now()): MountEntry {
    const entries = this.entriesOf(host, true);
    let e = entries.get(path);
    if (e) e.lastSeen = now;
    else entries.set(path, (e = { host, path, mountedAt: now, lastSeen: now }));
    this.file?.changed();
    return { ...e };
  }

  remove(host: string, path: string): MountEntry | undefined {
    const entries = this.entriesOf(host, false);
    const e = entries?.get(path);
    if (!e) return undefined;
    entries!.delete(path);
    if (entries!.size === 0) this.byHost.delete(host);
    this.file?.changed();
    return e;
  }

  removeAll(host: string): MountEntry[] {
    const entries = this.entriesOf(host, false);
    if (!entries) return [];
    this.byHost.delete(host);
    this.file?.changed();
    return [...entries.values()];
  }

  list(): MountEntry[] {
    const out: MountEntry[] = [];
    for (const entries of this.byHost.values()) for (const e of entries.values()) out.push({ ...e });
    return out;
  }

  /** The entries whose directory is `root` or below it (who holds an export). */
  under(root: string): MountEntry[] {
    return this.list().filter((e) => isWithin(e.path, root));
  }

  /**
   * Marks the host's mounts of `path` (and of directories below it, so an
   * export path covers subdirectory mounts) as used now. Called on every
   * NFS call, so it only updates memory: the next flush() persists it.
   */
  touch(host: string, path: string, now = Date.now()): void {
    const entries = this.byHost.get(host);
    if (!entries) return;
    for (const e of entries.values()) {
      if (isWithin(e.path, path)) {
        e.lastSeen = now;
        this.file?.changed();
      }
    }
  }

  /** Removes and returns the entries not seen for `olderThanMs`. */
  expire(olderThanMs: number, now = Date.now()): MountEntry[] {
    const removed: MountEntry[] = [];
    for (const [host, entries] of this.byHost) {
      for (const [path, e] of entries) {
        if (now - e.lastSeen > olderThanMs) {
          entries.delete(path);
          removed.push(e);
        }
      }
      if (entries.size === 0) this.byHost.delete(host);
    }
    if (removed.length > 0) this.file?.changed();
    return removed;
  }

  /** Persists the list (coalesced: see StateFile.flush); resolves once the caller's changes are durable. */
  flush(): Promise<void> {
    return this.file?.flush() ?? Promise.resolve();
  }
}
