/** SM_STAT: this host's state number. Whether the named host could be monitored is not checked: SM_MON says. */
import { SM_STAT } from '../../proto/nsm/sm.js';
import type { SmStatRes } from '../../proto/nsm/types.js';
import type { Procedure } from '../program.js';
import type { NsmService } from './service.js';

export function stat(svc: NsmService): Procedure<string, SmStatRes> {
  return { codec: SM_STAT, handle: () => svc.stat() };
}
