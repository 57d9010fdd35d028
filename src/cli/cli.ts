/**
 * The command line: a table of subcommands, each declaring its options for
 * node:util parseArgs, so new ones (status, eject, attach) slot in as one
 * module and one table entry.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type Command, type Parsed } from './command.js';
import { attachCommand } from './attach.js';
import { ejectCommand } from './eject.js';
import { reloadCommand } from './reload.js';
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';

const COMMANDS: readonly Command[] = [serveCommand, statusCommand, ejectCommand, attachCommand, reloadCommand];

const stdio: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/** The package version, from the package.json above this module. */
export function packageVersion(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nfs-node' && pkg.version) return pkg.version;
    } catch {
      // Not here (or unreadable): keep walking up.
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: nfs-node <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'nfs-node <command> --help    options of a command',
    'nfs-node --version           the version',
  ].join('\n');
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(overview());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const cmd = COMMANDS.find((c) => c.name === rest[0]);
    io.out(cmd ? cmd.help : overview());
    return EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    io.out(`nfs-node ${packageVersion()}`);
    return EXIT_OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`nfs-node: unknown command "${name}"\n\n${overview()}`);
    return EXIT_USAGE;
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as Parsed;
  } catch (err) {
    io.err(`nfs-node ${cmd.name}: ${(err as Error).message}\n\n${cmd.help}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.out(cmd.help);
    return EXIT_OK;
  }
  try {
    return await cmd.run(parsed, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`nfs-node ${cmd.name}: ${err.message}\n\n${cmd.help}`);
      return EXIT_USAGE;
    }
    io.err(`nfs-node ${cmd.name}: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILURE;
  }
}
