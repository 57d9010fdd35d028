/**
 * What the protocol programs (MOUNT, NFS) need from the server around them.
 */
import type { Logger } from './log.js';
import type { Export, ExportRegistry } from './exports.js';
import type { Remote } from '../programs/program.js';

export interface TransferLimits {
  /** rtmax / rtpref for FSINFO and the cap on READ counts. */
  readMax: number;
  /** wtmax / wtpref for FSINFO and the cap on WRITE counts. */
  writeMax: number;
  /** dtpref: preferred READDIR reply size. */
  dirPreferred: number;
}

export const DEFAULT_LIMITS: TransferLimits = { readMax: 1 << 20, writeMax: 1 << 20, dirPreferred: 64 << 10 };

export interface ServerEnv {
  exports: ExportRegistry;
  limits: TransferLimits;
  log: Logger;
  /** Every call that reaches an export reports here (idle-release timers and status read it). */
  touch(exp: Export, remote: Remote): void;
}
