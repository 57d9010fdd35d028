/** DUMP: the mount list (shared by versions 1 and 3). */
import type { MountBody } from '../../proto/mount/common.js';
import { MOUNTPROC3_DUMP } from '../../proto/mount/v3.js';
import type { Procedure } from '../program.js';
import type { MountService } from './service.js';

export function dump(svc: MountService): Procedure<void, MountBody[]> {
  return { codec: MOUNTPROC3_DUMP, handle: () => svc.dump() };
}
