/** What every subcommand is: its options for node:util parseArgs and a run function. */
import type { ParseArgsConfig } from 'node:util';

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage and option descriptions, shown by --help and on usage errors. */
  help: string;
  options: Options;
  run(args: Parsed, io: CliIo): Promise<number>;
}

/** Bad arguments: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A port number option: 0..65535. */
export function parsePort(value: string, option: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`--${option}: "${value}" is not a port number`);
  return Number(value);
}
