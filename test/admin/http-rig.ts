/**
 * For the admin page, API and metrics tests: a server exporting a local
 * temporary directory with its admin HTTP server on 127.0.0.1 (port chosen by
 * the system), some NFS traffic, and a strict reader of the Prometheus text
 * format.
 */
import assert from 'node:assert/strict';
import { MountClient } from '../../src/client/mount.js';
import { Nfs3Client } from '../../src/client/nfs3.js';
import type { AdminOptions } from '../../src/server/nfs-server.js';
import { CreateMode, StableHow } from '../../src/proto/nfs3/constants.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

export const HOST = '127.0.0.1';

export interface AdminRig extends TestServer {
  /** http://127.0.0.1:PORT */
  base: string;
}

export async function startAdminRig(admin: Partial<AdminOptions> = {}): Promise<AdminRig> {
  const t = await startTestServer({ backend: 'local', server: { admin: { host: HOST, port: 0, ...admin } } });
  const a = t.server.adminAddress();
  assert.ok(a, 'the admin server is listening');
  return Object.assign(t, { base: `http://${HOST}:${a.port}` });
}

/** One sample line of the text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(?:,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * Parses the Prometheus text exposition format (0.0.4), failing the test on
 * any line that is not a HELP, a TYPE, a blank line or a well-formed sample,
 * on a sample without a TYPE for its family, or a value that is not a number.
 */
export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string>; help: Map<string, string> } {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'TYPE') {
        assert.ok(TYPES.has(rest), `TYPE of ${name}: ${rest}`);
        assert.ok(!types.has(name), `TYPE of ${name} given twice`);
        types.set(name, rest);
      } else help.set(name, rest);
      continue;
    }
    assert.ok(!line.startsWith('#'), `a comment that is neither HELP nor TYPE: ${line}`);
    const m = SAMPLE.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    let rest = labelText ?? '';
    while (rest !== '') {
      const l = LABEL.exec(rest);
      assert.ok(l, `bad labels in: ${line}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(l[0].length);
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    // Prometheus parses values as Go's ParseFloat, which takes NaN in any case: prom-client writes "Nan"
    // (an event-loop lag gauge before its first sample, seen on a loaded machine).
    assert.ok(/^nan$/i.test(valueText) || !Number.isNaN(value), `not a number: ${line}`);
    const family = [name, name.replace(/_(bucket|sum|count|total|created)$/, '')].find((n) => types.has(n));
    assert.ok(family, `sample ${name} has no TYPE`);
    samples.push({ name, labels, value });
  }
  return { samples, types, help };
}

/** The value of the one sample with that name and (at least) those labels; 0 when there is none. */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value ?? 0;
}

export async function scrape(base: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text()).samples;
}

/** A mounted client; close() unmounts. */
export interface Mounted {
  mount: MountClient;
  nfs: Nfs3Client;
  root: Buffer;
  close(): Promise<void>;
}

export async function mountExport(rig: TestServer): Promise<Mounted> {
  const mount = await MountClient.connect({ host: HOST, port: rig.port });
  const nfs = await Nfs3Client.connect({ host: HOST, port: rig.port });
  const root = Buffer.from((await mount.mnt(rig.exportPath)).fhandle);
  return {
    mount,
    nfs,
    root,
    async close() {
      await mount.umnt(rig.exportPath).catch(() => {});
      await Promise.all([mount.close(), nfs.close()]);
    },
  };
}

/** Creates `name`, writes `data` to it (FILE_SYNC) and reads it back. */
export async function writeAndRead(m: Mounted, name: string, data: Buffer): Promise<void> {
  const created = await m.nfs.create({
    where: { dir: m.root, name: Buffer.from(name) },
    how: { mode: CreateMode.UNCHECKED, objAttributes: { mode: 0o644 } },
  });
  const file = Buffer.from(created.obj!);
  await m.nfs.write({ file, offset: 0n, count: data.length, stable: StableHow.FILE_SYNC, data });
  const read = await m.nfs.read({ file, offset: 0n, count: data.length });
  assert.deepEqual(Buffer.from(read.data), data);
}
