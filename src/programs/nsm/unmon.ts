/** SM_UNMON: stop monitoring one host for one lock manager. */
import { SM_UNMON } from '../../proto/nsm/sm.js';
import type { MonId } from '../../proto/nsm/types.js';
import type { Procedure } from '../program.js';
import type { NsmService } from './service.js';

export function unmon(svc: NsmService): Procedure<MonId, number> {
  return { codec: SM_UNMON, handle: (args, call) => svc.unmon(args, call) };
}
