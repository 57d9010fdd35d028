/** SM_UNMON_ALL: stop monitoring every host for one lock manager (it restarted). */
import { SM_UNMON_ALL } from '../../proto/nsm/sm.js';
import type { MyId } from '../../proto/nsm/types.js';
import type { Procedure } from '../program.js';
import type { NsmService } from './service.js';

export function unmonAll(svc: NsmService): Procedure<MyId, number> {
  return { codec: SM_UNMON_ALL, handle: (args, call) => svc.unmonAll(args, call) };
}
