/** SM_MON: a local lock manager asks to hear when a host reboots. */
import { SM_MON } from '../../proto/nsm/sm.js';
import type { Mon, SmStatRes } from '../../proto/nsm/types.js';
import type { Procedure } from '../program.js';
import type { NsmService } from './service.js';

export function mon(svc: NsmService): Procedure<Mon, SmStatRes> {
  return { codec: SM_MON, handle: (args, call) => svc.mon(args, call) };
}
