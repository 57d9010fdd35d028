/**
 * What every conformance group shares: the per-test fixture, capability
 * skips, caller identities and small helpers that speak only the Backend
 * interface, so the suite stays neutral between implementations.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Backend, CreatedResult, DirEntry, OpContext } from '../../../src/backend/backend.js';
import { statusOf } from '../../../src/backend/errors.js';
import { CreateMode, NfsStat3, StableHow } from '../../../src/proto/nfs3/constants.js';
import type { Fattr3, FileHandle, NfsTime3, Sattr3 } from '../../../src/proto/nfs3/types.js';

/**
 * A capability is supported unless declared `false` or given as a string;
 * the string is the reason shown when its tests are skipped.
 */
export type Capability = boolean | string;

export interface ConformanceCaps {
  /** mknod of character and block devices (a local backend needs CAP_MKNOD). */
  devices?: Capability;
  /** mknod of FIFOs and sockets. */
  specialFiles?: Capability;
  /** Objects owned by callers other than the backend's own identity: ownership of new objects, chown, chgrp, setgid directories. */
  chown?: Capability;
  /** Enforcement of permission checks for non-root callers (owner/group/other bits, sticky directories). */
  permissions?: Capability;
  /** Hard links. */
  hardLinks?: Capability;
  /** Symbolic links. */
  symlinks?: Capability;
}

export type CapabilityName = keyof ConformanceCaps;

export interface BackendUnderTest {
  backend: Backend;
  cleanup(): Promise<void>;
  caps?: ConformanceCaps;
}

export type MakeBackend = () => Promise<BackendUnderTest>;

export interface Fixture {
  b: Backend;
  root: FileHandle;
}

export function ctx(uid: number, gid: number, gids: readonly number[] = []): OpContext {
  return { cred: { uid, gid, gids } };
}

export const ROOT = ctx(0, 0);
/** Unprivileged callers used by permission tests; none of them shares a group with another unless a test says so. */
export const ALICE = ctx(1000, 1000);
export const BOB = ctx(2000, 2000);
export const CAROL = ctx(3000, 3000);

export function name(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

function unsupportedReason(caps: ConformanceCaps | undefined, cap: CapabilityName): string | undefined {
  const value = caps?.[cap];
  if (value === undefined || value === true) return undefined;
  return typeof value === 'string' ? value : `backend declares no ${cap} support`;
}

/**
 * Runs `body` on a fresh backend, after skipping (with the backend's stated
 * reason) when a capability the test needs is missing. A fresh backend per
 * test keeps failures independent and lets every test assume an empty root.
 */
export function withBackend(
  make: MakeBackend,
  needs: readonly CapabilityName[],
  body: (f: Fixture, t: TestContext) => Promise<void>,
): (t: TestContext) => Promise<void> {
  return async (t) => {
    const under = await make();
    try {
      for (const cap of needs) {
        const reason = unsupportedReason(under.caps, cap);
        if (reason !== undefined) {
          t.skip(reason);
          return;
        }
      }
      const root = await under.backend.root(ROOT);
      await body({ b: under.backend, root }, t);
    } finally {
      await under.cleanup();
    }
  };
}

/** Asserts that `p` fails with one of `statuses` (as statusOf maps it, which is how the NFS layer will see it). */
export async function rejectsWith(p: Promise<unknown>, ...statuses: NfsStat3[]): Promise<void> {
  let outcome: unknown;
  try {
    outcome = await p;
  } catch (err) {
    const got = statusOf(err);
    assert.ok(
      statuses.includes(got),
      `expected ${statuses.map((s) => NfsStat3[s]).join(' or ')}, got ${NfsStat3[got] ?? got} (${String(err)})`,
    );
    return;
  }
  assert.fail(`expected ${statuses.map((s) => NfsStat3[s]).join(' or ')}, but the call succeeded with ${inspectShort(outcome)}`);
}

function inspectShort(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}

export async function createFile(
  f: Fixture,
  dir: FileHandle,
  n: string,
  attrs: Sattr3 = { mode: 0o644 },
  who: OpContext = ROOT,
): Promise<CreatedResult> {
  return f.b.create(dir, name(n), { mode: CreateMode.UNCHECKED, attrs }, who);
}

export async function mkdir(f: Fixture, dir: FileHandle, n: string, mode = 0o755, who: OpContext = ROOT): Promise<CreatedResult> {
  return f.b.mkdir(dir, name(n), { mode }, who);
}

export async function writeAt(f: Fixture, fh: FileHandle, offset: number, data: Buffer, who: OpContext = ROOT): Promise<void> {
  const res = await f.b.write(fh, BigInt(offset), data, StableHow.FILE_SYNC, who);
  assert.equal(res.count, data.length, 'a backend writes everything it is given');
}

/** Reads [offset, offset+count) in as many calls as the backend needs (it may return short reads). */
export async function readAll(f: Fixture, fh: FileHandle, offset: number, count: number, who: OpContext = ROOT): Promise<Buffer> {
  const parts: Buffer[] = [];
  let at = offset;
  let left = count;
  while (left > 0) {
    const r = await f.b.read(fh, BigInt(at), left, who);
    parts.push(Buffer.from(r.data));
    at += r.data.length;
    left -= r.data.length;
    if (r.eof || r.data.length === 0) break;
  }
  return Buffer.concat(parts);
}

export async function getattr(f: Fixture, fh: FileHandle): Promise<Fattr3> {
  return f.b.getattr(fh, ROOT);
}

export async function lookup(f: Fixture, dir: FileHandle, n: string, who: OpContext = ROOT): Promise<FileHandle> {
  return (await f.b.lookup(dir, name(n), who)).handle;
}

export async function chmod(f: Fixture, fh: FileHandle, mode: number): Promise<void> {
  await f.b.setattr(fh, { mode }, undefined, ROOT);
}

export async function chown(f: Fixture, fh: FileHandle, uid: number, gid: number): Promise<void> {
  await f.b.setattr(fh, { uid, gid }, undefined, ROOT);
}

export const ZERO_VERIFIER = Buffer.alloc(8);

/** Lists a whole directory in pages of `pageSize`, passing each page's cookie and verifier on, as a client does. */
export async function listAll(
  f: Fixture,
  dir: FileHandle,
  pageSize = 1000,
  withAttrs = false,
  who: OpContext = ROOT,
): Promise<DirEntry[]> {
  const all: DirEntry[] = [];
  let cookie = 0n;
  let verifier: Buffer = ZERO_VERIFIER;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 100_000, 'readdir never reached eof');
    const page = await f.b.readdir(dir, { cookie, verifier, maxEntries: pageSize, withAttrs }, who);
    assert.ok(page.entries.length <= pageSize, 'readdir returned more than maxEntries');
    all.push(...page.entries);
    if (page.eof) return all;
    assert.ok(page.entries.length > 0, 'a page that is not at eof must make progress');
    cookie = page.entries[page.entries.length - 1]!.cookie;
    verifier = page.verifier;
  }
}

export function names(entries: readonly DirEntry[]): string[] {
  return entries.map((e) => e.name.toString('utf8'));
}

export function sorted(xs: readonly string[]): string[] {
  return [...xs].sort();
}

export function timeNs(t: NfsTime3): bigint {
  return BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nseconds);
}

/** a ≤ b, for timestamps: the suite never assumes two operations land in different clock ticks. */
export function assertTimeNotBefore(later: NfsTime3, earlier: NfsTime3, what: string): void {
  assert.ok(timeNs(later) >= timeNs(earlier), `${what}: ${fmt(later)} is before ${fmt(earlier)}`);
}

function fmt(t: NfsTime3): string {
  return `${t.seconds}.${String(t.nseconds).padStart(9, '0')}`;
}

/** Deterministic bytes, so a misplaced chunk cannot compare equal by accident. */
export function pattern(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
