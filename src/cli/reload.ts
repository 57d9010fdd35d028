/** `nfs-node reload`: the running server reads its exports file again (as on SIGHUP). */
import { askServer } from '../server/admin.js';
import type { ReloadReport } from '../server/nfs-server.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo, type Command, type Parsed } from './command.js';

const HELP = `Usage: nfs-node reload [--state-dir DIR]

Tells the running server to read its exports file (serve --exports FILE)
again, as SIGHUP does, without dropping connections: new exports are served,
exports no longer in the file are released as by eject (their clients get
NFS3ERR_STALE), and changed client lists and options apply from each
client's next call. A malformed file changes nothing: its errors are printed
with file:line:column and the exit code is 1.

Options:
  --state-dir DIR   the server's state directory (default as for serve)
  -h, --help        this help`;

/** The report as lines; false when a removed export's storage is still held. */
export function describeReload(r: ReloadReport, out: (line: string) => void): boolean {
  let ok = true;
  for (const p of r.added) out(`added    ${p}`);
  for (const p of r.kept) out(`kept     ${p}`);
  for (const e of r.removed) {
    out(`removed  ${e.export}${e.ok ? '' : ` (still held: ${e.holders.join('; ')})`}`);
    ok &&= e.ok;
  }
  return ok;
}

async function run({ values, positionals }: Parsed, io: CliIo): Promise<number> {
  if (positionals.length > 0) throw new UsageError('reload takes no arguments');
  const r = (await askServer(values['state-dir'] as string | undefined, 'reload')) as ReloadReport;
  return describeReload(r, io.out) ? EXIT_OK : EXIT_FAILURE;
}

export const reloadCommand: Command = {
  name: 'reload',
  summary: 'read the exports file again (as SIGHUP)',
  help: HELP,
  options: { 'state-dir': { type: 'string' } },
  run,
};
