/** `nfs-node eject <export>`: makes an export's storage safe to unmount, without stopping the server. */
import path from 'node:path';
import { askServer } from '../server/admin.js';
import type { EjectReport } from '../server/lifecycle.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo, type Command, type Parsed } from './command.js';

const HELP = `Usage: nfs-node eject <export> [--state-dir DIR]

Tells the running server to stop serving <export>: new calls are refused
(NFS3ERR_STALE, or NFS3ERR_JUKEBOX if it was served with --while-detached
hold), calls in flight finish (10 s at most), everything written is made
durable, and every descriptor on the storage is closed. Other exports keep
being served. Exits 0 when nothing of the export is held any more (the
storage can be unmounted), else 1 naming what still holds it.

The export comes back with "nfs-node attach <export>", or by itself once its
filesystem has been unmounted and mounted again.

Options:
  --state-dir DIR   the server's state directory (default as for serve)
  -h, --help        this help`;

/** The one positional: the exported path, made absolute against our working directory. */
export function exportArgument(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no export given' : 'one export at a time');
  return path.resolve(positionals[0]!);
}

async function run({ values, positionals }: Parsed, io: CliIo): Promise<number> {
  const exp = exportArgument(positionals);
  const r = (await askServer(values['state-dir'] as string | undefined, 'eject', { export: exp })) as EjectReport;
  if (!r.drained) io.err(`warning: calls still in flight after the wait`);
  if (!r.flushed) io.err(`warning: not everything written could be made durable: ${r.flushError ?? 'unknown error'}`);
  if (r.locksReleased) io.err(`${r.locksReleased} NLM lock${r.locksReleased === 1 ? '' : 's'} of clients released (they lost them)`);
  if (!r.ok) {
    io.err(`${r.export}: ejected, but its storage is still held:`);
    for (const h of r.holders) io.err(`  ${h}`);
    return EXIT_FAILURE;
  }
  io.out(`${r.export}: ejected in ${r.waitedMs} ms; nothing is held, the storage can be unmounted`);
  return EXIT_OK;
}

export const ejectCommand: Command = {
  name: 'eject',
  summary: 'stop serving an export and release its storage so it can be unmounted',
  help: HELP,
  options: { 'state-dir': { type: 'string' } },
  run,
};
