/**
 * Scratch filesystems for the local backend's tests (needs root): tmpfs
 * mounts and ext4 images on loop devices. Everything made is recorded and
 * torn down by cleanup(), also after a failed test.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function isRoot(): boolean {
  return process.geteuid?.() === 0;
}

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'nfsnode-'));
  private readonly mounted: string[] = [];
  private readonly loops: string[] = [];

  /** Runs a command (synchronously); throws with its stderr when it fails. */
  run(cmd: string, ...args: string[]): string {
    return run(cmd, ...args);
  }

  /** A fresh empty directory (not a mount). */
  mkdir(name: string): string {
    const p = join(this.dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  }

  tmpfs(name: string): string {
    const p = this.mkdir(name);
    run('mount', '-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', p);
    this.mounted.push(p);
    return p;
  }

  /**
   * A new ext4 image file (not mounted). Without a journal, what fsync wrote
   * is in place in the image, where readInode() can see it.
   */
  ext4Image(name: string, megabytes = 32, opts: { journal?: boolean } = {}): string {
    const img = join(this.dir, `${name}.img`);
    run('truncate', '-s', `${megabytes}M`, img);
    run('mkfs.ext4', '-q', '-F', ...(opts.journal === false ? ['-O', '^has_journal'] : []), img);
    return img;
  }

  /**
   * The contents of inode `ino` as stored in the image file, read with debugfs
   * past the mounted filesystem's page cache: only what was written back is there.
   */
  readInode(img: string, ino: bigint): Buffer {
    return execFileSync('debugfs', ['-R', `cat <${ino}>`, img], { stdio: ['ignore', 'pipe', 'ignore'] });
  }

  /** Attaches a loop device to a dummy file, so the next mount gets another device number. */
  occupyLoopDevice(): string {
    const dummy = join(this.dir, `dummy-${this.loops.length}`);
    run('truncate', '-s', '1M', dummy);
    const dev = run('losetup', '--find', '--show', dummy);
    this.loops.push(dev);
    return dev;
  }

  /** Mounts an image on a loop device of its own (a new device each time). */
  mountImage(img: string, at: string): void {
    mkdirSync(at, { recursive: true });
    run('mount', '-o', 'loop', img, at);
    this.mounted.push(at);
  }

  /** The loop device behind a mount point. */
  deviceOf(at: string): string {
    return run('findmnt', '-n', '-o', 'SOURCE', '--mountpoint', at);
  }

  /** Fails (throws) when the filesystem is busy: the point of the removal tests. */
  umount(at: string): void {
    run('umount', at);
    const i = this.mounted.lastIndexOf(at);
    if (i >= 0) this.mounted.splice(i, 1);
  }

  cleanup(): void {
    for (const at of this.mounted.reverse()) {
      try {
        run('umount', at);
      } catch {
        try {
          run('umount', '-l', at);
        } catch {
          // nothing more to do; rmSync below may then fail too
        }
      }
    }
    this.mounted.length = 0;
    for (const dev of this.loops) {
      try {
        run('losetup', '-d', dev);
      } catch {
        // already gone
      }
    }
    this.loops.length = 0;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
