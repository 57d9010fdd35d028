/** SM_NOTIFY: a host says it rebooted: release what it held. */
import { SM_NOTIFY } from '../../proto/nsm/sm.js';
import type { StatChange } from '../../proto/nsm/types.js';
import type { Procedure } from '../program.js';
import type { NsmService } from './service.js';

export function notify(svc: NsmService): Procedure<StatChange, void> {
  return { codec: SM_NOTIFY, handle: (args, call) => svc.notify(args, call) };
}
