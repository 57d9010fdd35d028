/** SM_SIMU_CRASH: behave as after a restart: a new state number, and every monitored host told. */
import { SM_SIMU_CRASH } from '../../proto/nsm/sm.js';
import type { Procedure } from '../program.js';
import type { NsmService } from './service.js';

export function simuCrash(svc: NsmService): Procedure<void, void> {
  return { codec: SM_SIMU_CRASH, handle: (_args, call) => svc.simulateCrash(call) };
}
