/** The status monitor, program 100024 version 1 (rpc.statd's protocol). */
import { SM_PROGRAM, SM_V1 } from '../../proto/nsm/constants.js';
import { nullProcedure, procedureTable, program, type Program } from '../program.js';
import { mon } from './mon.js';
import { notify } from './notify.js';
import type { NsmService } from './service.js';
import { simuCrash } from './simu-crash.js';
import { stat } from './stat.js';
import { unmonAll } from './unmon-all.js';
import { unmon } from './unmon.js';

export { NsmService, DEFAULT_NOTIFY_DELAYS_MS, type NsmHooks, type NsmOptions } from './service.js';

export function createNsmProgram(svc: NsmService): Program {
  return program(SM_PROGRAM, 'status', [
    procedureTable(SM_V1, [nullProcedure, stat(svc), mon(svc), unmon(svc), unmonAll(svc), simuCrash(svc), notify(svc)]),
  ]);
}
