/**
 * DOS share reservations (NLM SHARE / UNSHARE): per file, each (host, oh) holds
 * at most one reservation of access bits and deny-mode bits.
 */

export interface ShareOwner {
  host: string;
  oh: Buffer;
}

/** Deny / access bits of NLM's fsh_mode and fsh_access. */
export const SHARE_READ = 1;
export const SHARE_WRITE = 2;

export interface Share extends ShareOwner {
  mode: number;
  access: number;
}

function sameShareOwner(a: ShareOwner, b: ShareOwner): boolean {
  return a.host === b.host && a.oh.equals(b.oh);
}

export class ShareTable {
  private readonly files = new Map<string, Share[]>();
  private count = 0;

  /** Reservations held, over all files. */
  size(): number {
    return this.count;
  }

  /** Returns false on conflict with another owner's reservation (nothing changed); the same owner re-sharing replaces its own. */
  share(file: string, owner: ShareOwner, mode: number, access: number): boolean {
    const held = this.files.get(file) ?? [];
    const others = held.filter((s) => !sameShareOwner(s, owner));
    if (others.some((s) => (access & s.mode) !== 0 || (mode & s.access) !== 0)) return false;
    // Copied: a decoded oh is a view into the receive buffer.
    others.push({ host: owner.host, oh: Buffer.from(owner.oh), mode, access });
    this.put(file, held, others);
    return true;
  }

  unshare(file: string, owner: ShareOwner): void {
    const held = this.files.get(file);
    if (held) this.put(file, held, held.filter((s) => !sameShareOwner(s, owner)));
  }

  /** Drops every reservation of one host; returns how many. */
  releaseHost(host: string): number {
    return this.retain(() => false, (s) => s.host !== host);
  }

  /** Drops every reservation on the matching files; returns how many. */
  releaseFiles(match: (file: string) => boolean): number {
    return this.retain((f) => !match(f), () => false);
  }

  list(): Array<{ file: string } & Share> {
    return [...this.files].flatMap(([file, shares]) => shares.map((s) => ({ file, ...s })));
  }

  addHosts(into: Set<string>): void {
    for (const shares of this.files.values()) for (const s of shares) into.add(s.host);
  }

  /** Keeps, on files not skipped, the shares `keep` accepts; drops emptied files. Returns how many were dropped. */
  private retain(skip: (file: string) => boolean, keep: (s: Share) => boolean): number {
    let dropped = 0;
    for (const [file, shares] of this.files) {
      if (skip(file)) continue;
      const kept = shares.filter(keep);
      dropped += shares.length - kept.length;
      this.put(file, shares, kept);
    }
    return dropped;
  }

  private put(file: string, old: Share[], shares: Share[]): void {
    this.count += shares.length - old.length;
    if (shares.length === 0) this.files.delete(file);
    else this.files.set(file, shares);
  }
}
