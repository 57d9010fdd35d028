/** RMDIR (RFC 1813 section 3.3.13): remove an empty directory. Its XDR is REMOVE's, field for field. */
import { Nfs3Proc } from './constants.js';
import type { ProcedureCodec } from '../procedure.js';
import { REMOVE, type RemoveArgs, type RemoveResult } from './remove.js';

export type RmdirArgs = RemoveArgs;
export type RmdirResult = RemoveResult;

export const RMDIR: ProcedureCodec<RmdirArgs, RmdirResult> = { ...REMOVE, proc: Nfs3Proc.RMDIR, name: 'RMDIR' };
