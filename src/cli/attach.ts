/** `nfs-node attach <export>`: serves an ejected export again. */
import { askServer, type ExportStatus } from '../server/admin.js';
import { EXIT_OK, type CliIo, type Command, type Parsed } from './command.js';
import { exportArgument } from './eject.js';

const HELP = `Usage: nfs-node attach <export> [--state-dir DIR]

Serves an ejected export again. Its filesystem must be mounted at the export
path (the same filesystem: another one there is refused). Clients' old file
handles work again; they need not remount.

Options:
  --state-dir DIR   the server's state directory (default as for serve)
  -h, --help        this help`;

async function run({ values, positionals }: Parsed, io: CliIo): Promise<number> {
  const exp = exportArgument(positionals);
  const s = (await askServer(values['state-dir'] as string | undefined, 'attach', { export: exp })) as ExportStatus;
  io.out(`${s.path}: ${s.state}`);
  return EXIT_OK;
}

export const attachCommand: Command = {
  name: 'attach',
  summary: 'serve an ejected export again',
  help: HELP,
  options: { 'state-dir': { type: 'string' } },
  run,
};
