/**
 * What the control socket offers (status, eject, attach, reload) and where it is:
 * `<state dir>/control.sock`, so the CLI finds a server by the same
 * --state-dir it was started with.
 */
import path from 'node:path';
import { request, type ControlHandler } from '../admin/control.js';
import type { ExportState, EjectReport, StorageStatus } from './lifecycle.js';
import type { LockStatus } from './locks/lock-manager.js';
import type { MountEntry } from './mount-list.js';
import { defaultStateDir } from './state-dir.js';

export const CONTROL_SOCKET = 'control.sock';

export function controlSocketPath(stateDir: string): string {
  return path.join(stateDir, CONTROL_SOCKET);
}

export interface ExportStatus extends StorageStatus {
  path: string;
  state: ExportState;
  /** The mount list's entries for this export (DUMP's view, with times). */
  clients: MountEntry[];
  /** NLM locks held and queued on the export's files, by client; and how many share reservations. */
  locks: { held: LockStatus[]; waiting: LockStatus[]; shares: number };
  /** Calls that reached the export since the server started. */
  activity: { lastActive: number; calls: number; clients: Array<{ address: string; lastSeen: number }> } | null;
}

/** What the handlers act on (the server). */
export interface Administered {
  status(): Promise<ExportStatus[]>;
  eject(path: string): Promise<EjectReport>;
  attach(path: string): Promise<ExportStatus>;
}

/** The control socket also reloads the exports file (see NfsServer.reload). */
export interface Controlled extends Administered {
  reload(): Promise<unknown>;
}

function exportArg(args: Record<string, unknown>): string {
  const p = args.export;
  if (typeof p !== 'string' || p === '') throw new Error('missing argument: export (the exported path)');
  return p;
}

export function adminHandlers(server: Controlled): Record<string, ControlHandler> {
  return {
    status: () => server.status(),
    eject: (args) => server.eject(exportArg(args)),
    attach: (args) => server.attach(exportArg(args)),
    reload: () => server.reload(),
  };
}

/**
 * The client side, for the CLI: a missing or dead socket means no server runs
 * with that state directory, said in those words.
 */
export async function askServer(
  stateDir: string | undefined,
  cmd: string,
  args: Record<string, unknown> = {},
): Promise<unknown> {
  stateDir ??= defaultStateDir();
  const socket = controlSocketPath(stateDir);
  try {
    return await request(socket, cmd, args);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') {
      throw new Error(`no server is running with state directory ${stateDir} (${socket}: ${code})`);
    }
    throw err;
  }
}
