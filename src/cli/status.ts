/** `nfs-node status`: every export of a running server, and whether its storage can be unmounted now. */
import { askServer, type ExportStatus } from '../server/admin.js';
import type { LockStatus } from '../server/locks/lock-manager.js';
import { EXIT_OK, UsageError, type CliIo, type Command, type Parsed } from './command.js';

const HELP = `Usage: nfs-node status [--json] [--state-dir DIR]

Asks the server running with this state directory (through its control
socket) for each export: its state (attached, detached, absent), the clients
that mounted it and when each was last active, the NLM locks each client
holds or waits for, open descriptors, bytes
written but not yet committed, and whether its storage can be unmounted now.

Options:
  --json            the full status as JSON
  --state-dir DIR   the server's state directory (default as for serve)
  -h, --help        this help`;

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** A plain table: columns padded to their widest cell. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

export function formatStatus(exports: ExportStatus[], now = Date.now()): string[] {
  const rows = [['EXPORT', 'STATE', 'CLIENTS', 'LOCKS', 'FDS', 'UNCOMMITTED', 'IN-FLIGHT', 'UNMOUNTABLE']];
  for (const e of exports) {
    rows.push([
      e.path,
      e.state === 'detached' ? `detached (${e.whileDetached})` : e.state,
      String(e.clients.length),
      String(e.locks.held.length + e.locks.shares),
      String(e.openDescriptors),
      String(e.uncommittedBytes),
      String(e.inFlight),
      e.unmountable ? `yes (${e.reason})` : 'no',
    ]);
  }
  const lines = table(rows);
  for (const e of exports) {
    const details: string[] = [];
    for (const c of e.clients) {
      details.push(`  client ${c.host} mounted ${c.path} ${ago(c.mountedAt, now)}, last seen ${ago(c.lastSeen, now)}`);
    }
    for (const [host, locks] of byHost(e.locks.held)) {
      const waiting = e.locks.waiting.filter((w) => w.host === host).length;
      details.push(`  locks of ${host} (${locks[0]!.addresses.join(', ')}): ${locks.length} held${waiting ? `, ${waiting} waiting` : ''}`);
    }
    if (e.activity) details.push(`  ${e.activity.calls} calls, last ${ago(e.activity.lastActive, now)}`);
    if (!e.unmountable) details.push(...e.holders.map((h) => `  held: ${h}`));
    if (details.length > 0) lines.push('', e.path, ...details);
  }
  return lines;
}

function byHost(locks: LockStatus[]): Map<string, LockStatus[]> {
  const out = new Map<string, LockStatus[]>();
  for (const l of locks) out.set(l.host, [...(out.get(l.host) ?? []), l]);
  return out;
}

async function run({ values, positionals }: Parsed, io: CliIo): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const status = (await askServer(values['state-dir'] as string | undefined, 'status')) as ExportStatus[];
  if (values.json) io.out(JSON.stringify(status, null, 2));
  else for (const line of formatStatus(status)) io.out(line);
  return EXIT_OK;
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show exports, their clients, and whether each one's storage can be unmounted",
  help: HELP,
  options: { json: { type: 'boolean' }, 'state-dir': { type: 'string' } },
  run,
};
