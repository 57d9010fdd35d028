/**
 * The Network Lock Manager (program 100021): version 4 for NFSv3 clients,
 * versions 1 and 3 (32-bit ranges; 3 adds shares, NM_LOCK and FREE_ALL) for
 * older ones. One set of handlers speaks Nlm4Stat; each version's codecs put
 * it on the wire in that version's form.
 */
import { NLM4_CODECS, NLM_V1_CODECS, NLM_V3_CODECS } from '../../proto/nlm/codecs.js';
import { NLM_PROGRAM, NLM_V1, NLM_V3, NLM_V4 } from '../../proto/nlm/constants.js';
import type { LockManager } from '../../server/locks/lock-manager.js';
import { nullProcedure, procedureTable, program, type Procedure, type Program } from '../program.js';
import { cancel } from './cancel.js';
import { freeAll } from './free-all.js';
import { granted } from './granted.js';
import { lock } from './lock.js';
import { nmLock } from './nm-lock.js';
import { results } from './results.js';
import { share } from './share.js';
import { test } from './test.js';
import { unlock } from './unlock.js';
import { unshare } from './unshare.js';
import type { NlmV3Version, NlmVersion } from './version.js';

export type ResultSender = NlmVersion['sendResult'];

export function createNlmProgram(m: LockManager, sendResult: ResultSender): Program {
  const base = (v: NlmVersion): Procedure[] => [
    nullProcedure,
    ...test(m, v),
    ...lock(m, v),
    ...cancel(m, v),
    ...unlock(m, v),
    ...granted(v),
    ...results(v),
  ];
  const withShares = (v: NlmV3Version): Procedure[] => [...base(v), share(m, v), unshare(m, v), nmLock(m, v), freeAll(m, v)];
  return program(NLM_PROGRAM, 'nlockmgr', [
    procedureTable(NLM_V1, base({ vers: NLM_V1, codecs: NLM_V1_CODECS, sendResult })),
    procedureTable(NLM_V3, withShares({ vers: NLM_V3, codecs: NLM_V3_CODECS, sendResult })),
    procedureTable(NLM_V4, withShares({ vers: NLM_V4, codecs: NLM4_CODECS, sendResult })),
  ]);
}
