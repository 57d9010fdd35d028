/**
 * The local backend against the backend conformance suite, on tmpfs (a
 * fresh filesystem per test, exported at its root) and on a loop-mounted
 * ext4 image (a fresh subdirectory per test: a subtree export). After every
 * test the backend is released and nothing may remain open on the export.
 */
import { readdirSync, rmSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import { createLocalBackend } from '../../src/backend/local/index.js';
import { assertNothingHeld } from '../helpers/fd-tracker.js';
import { isRoot, Scratch } from '../helpers/mounts.js';
import { backendConformance, type BackendUnderTest } from './conformance.js';

const CAPS = { devices: true, specialFiles: true, chown: true, permissions: true, hardLinks: true, symlinks: true };

function emptyDir(path: string): void {
  // Names as bytes: tests make names that are not UTF-8.
  const dir = Buffer.from(path + '/');
  for (const e of readdirSync(path, { encoding: 'buffer' })) rmSync(Buffer.concat([dir, e]), { recursive: true, force: true });
}

async function underTest(path: string, cleanup: () => void): Promise<BackendUnderTest> {
  const backend = await createLocalBackend({ path, idleMs: 200 });
  return {
    backend,
    caps: CAPS,
    cleanup: async () => {
      try {
        await backend.release();
        assertNothingHeld(path, 'after release()');
      } finally {
        cleanup();
      }
    },
  };
}

describe('local backend', { skip: isRoot() ? false : 'needs root (CAP_DAC_READ_SEARCH, mount)' }, () => {
  const scratch = new Scratch();
  let ext4 = '';
  let n = 0;
  let tmpfs = '';
  before(() => {
    ext4 = scratch.mkdir('ext4');
    scratch.mountImage(scratch.ext4Image('conformance', 64), ext4);
  });
  after(() => scratch.cleanup());

  // One tmpfs, emptied between tests: mounting one per test would cost more than the tests.
  backendConformance('local (tmpfs, filesystem root)', async () => {
    tmpfs ||= scratch.tmpfs('tmpfs');
    const path = tmpfs;
    return underTest(path, () => emptyDir(path));
  });

  backendConformance('local (ext4 image, subtree)', async () => {
    const path = `${ext4}/t${n++}`;
    scratch.mkdir(path.slice(scratch.dir.length + 1));
    return underTest(path, () => {});
  });
});
