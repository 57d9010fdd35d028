#!/usr/bin/env node
/**
 * Many clients at once (issue 6): does throughput hold when the same load
 * comes over 64 connections instead of one, and do the connections share
 * the server fairly? Each connection owns a 1 MiB file and keeps `depth`
 * calls in flight, each a 4 KiB READ or UNSTABLE WRITE (half each) at a
 * random offset, for a fixed time. Layouts with the same total depth
 * (1 x 64, 64 x 1) compare spreading alone; 64 x 4 adds load.
 *
 * The clients are this process (the project's RPC client), the server
 * another one: on a 2-CPU machine both share the CPUs, so compare the
 * layouts of one run, not runs of different days.
 *
 *   node dist/bench/many-clients.js --port P --export PATH [--seconds S] [--host H] [--server-pid PID] [--layouts 1x64,64x1]
 */
import { randomBytes, randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { authSys } from '../src/client/auth.js';
import { MountClient } from '../src/client/mount.js';
import { Nfs3Client } from '../src/client/nfs3.js';
import { CreateMode, StableHow } from '../src/proto/nfs3/constants.js';
import { processCpu } from './proc.js';

export interface Layout {
  connections: number;
  depth: number;
}

export interface LayoutResult extends Layout {
  seconds: number;
  opsPerSecond: number;
  /** Per-connection ops/s. */
  min: number;
  median: number;
  max: number;
  /** Jain's index: 1 when every connection got the same, 1/n when one got everything. */
  fairness: number;
  /** The server's CPU time per operation (µs), when its pid was given: steadier than throughput on a shared machine. */
  serverCpuUs?: number;
}

export const DEFAULT_LAYOUTS: Layout[] = [
  { connections: 1, depth: 64 },
  { connections: 64, depth: 1 },
  { connections: 64, depth: 4 },
  { connections: 128, depth: 1 },
];

const FILE_SIZE = 1 << 20;
const IO_SIZE = 4096;

export async function measureManyClients(opts: {
  host: string;
  port: number;
  mountPort?: number;
  exportPath: string;
  seconds: number;
  layouts?: Layout[];
  serverPid?: number;
}): Promise<LayoutResult[]> {
  const auth = authSys({ uid: 0, gid: 0 });
  const mount = await MountClient.connect({ host: opts.host, port: opts.mountPort ?? opts.port, auth });
  const root = (await mount.mnt(opts.exportPath)).fhandle;
  const results: LayoutResult[] = [];
  try {
    for (const layout of opts.layouts ?? DEFAULT_LAYOUTS) results.push(await runLayout(opts, root, layout));
  } finally {
    await mount.umnt(opts.exportPath).catch(() => {});
    await mount.close();
  }
  return results;
}

async function runLayout(
  opts: { host: string; port: number; seconds: number; serverPid?: number },
  root: Buffer,
  layout: Layout,
): Promise<LayoutResult> {
  const auth = authSys({ uid: 0, gid: 0 });
  const clients = await Promise.all(
    Array.from({ length: layout.connections }, () => Nfs3Client.connect({ host: opts.host, port: opts.port, auth, timeoutMs: 60_000 })),
  );
  try {
    const block = randomBytes(IO_SIZE);
    const files = await Promise.all(
      clients.map(async (c, i) => {
        const name = Buffer.from(`many-clients-${layout.connections}x${layout.depth}-${i}`);
        const created = await c.create({ where: { dir: root, name }, how: { mode: CreateMode.UNCHECKED, objAttributes: { size: 0n } } });
        const fh = Buffer.from(created.obj!);
        await c.write({ file: fh, offset: 0n, count: FILE_SIZE, stable: StableHow.UNSTABLE, data: Buffer.alloc(FILE_SIZE, 1) });
        return { fh, name };
      }),
    );
    const ops = new Array<number>(clients.length).fill(0);
    const until = performance.now() + opts.seconds * 1000;
    const worker = async (i: number): Promise<void> => {
      const c = clients[i]!;
      const file = files[i]!.fh;
      while (performance.now() < until) {
        const offset = BigInt(randomInt(FILE_SIZE / IO_SIZE) * IO_SIZE);
        if (randomInt(2) === 0) await c.read({ file, offset, count: IO_SIZE });
        else await c.write({ file, offset, count: IO_SIZE, stable: StableHow.UNSTABLE, data: block });
        ops[i]!++;
      }
    };
    const cpu = () => (opts.serverPid === undefined ? undefined : processCpu(opts.serverPid));
    const cpu0 = cpu();
    const started = performance.now();
    await Promise.all(clients.flatMap((_, i) => Array.from({ length: layout.depth }, () => worker(i))));
    const seconds = (performance.now() - started) / 1000;
    const cpu1 = cpu();
    await Promise.all(clients.map((c, i) => c.remove({ object: { dir: root, name: files[i]!.name } })));
    const rates = ops.map((n) => n / seconds).sort((a, b) => a - b);
    const sum = rates.reduce((a, b) => a + b, 0);
    return {
      ...layout,
      seconds,
      opsPerSecond: sum,
      min: rates[0]!,
      median: rates[Math.floor(rates.length / 2)]!,
      max: rates.at(-1)!,
      fairness: (sum * sum) / (rates.length * rates.reduce((a, b) => a + b * b, 0)),
      ...(cpu0 !== undefined && cpu1 !== undefined && { serverCpuUs: ((cpu1 - cpu0) * 1e6) / (sum * seconds) }),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** The markdown table of one run. */
export function renderManyClients(results: LayoutResult[]): string[] {
  const base = results.find((r) => r.connections === 1)?.opsPerSecond;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    '| connections x depth | ops/s (4 KiB, half READ, half WRITE) | vs 1 connection | per connection: min / median / max | fairness (Jain) | server CPU µs/op |',
    '| --- | ---: | ---: | --- | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.connections} x ${r.depth} | ${n(r.opsPerSecond)} | ${base ? (r.opsPerSecond / base).toFixed(2) : '-'} | ${n(r.min)} / ${n(r.median)} / ${n(r.max)} | ${r.fairness.toFixed(3)} | ${r.serverCpuUs === undefined ? '-' : r.serverCpuUs.toFixed(0)} |`,
    ),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      'mount-port': { type: 'string' },
      export: { type: 'string' },
      seconds: { type: 'string', default: '5' },
      'server-pid': { type: 'string' },
      layouts: { type: 'string' },
    },
  });
  const layouts = values.layouts?.split(',').map((l): Layout => {
    const m = /^(\d+)x(\d+)$/.exec(l);
    if (!m) throw new Error(`--layouts: "${l}" is not CONNECTIONSxDEPTH`);
    return { connections: Number(m[1]), depth: Number(m[2]) };
  });
  if (!values.port || !values.export) throw new Error('usage: many-clients --port P [--mount-port M] --export PATH [--seconds S] [--layouts CxD,...]');
  const results = await measureManyClients({
    host: values.host!,
    port: Number(values.port),
    ...(values['mount-port'] && { mountPort: Number(values['mount-port']) }),
    exportPath: values.export,
    seconds: Number(values.seconds),
    ...(values['server-pid'] && { serverPid: Number(values['server-pid']) }),
    ...(layouts && { layouts }),
  });
  for (const line of renderManyClients(results)) process.stdout.write(line + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
