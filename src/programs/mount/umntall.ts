/** UMNTALL: every mount of the caller (shared by versions 1 and 3). */
import { MOUNTPROC3_UMNTALL } from '../../proto/mount/v3.js';
import type { Procedure } from '../program.js';
import type { MountService } from './service.js';

export function umntall(svc: MountService): Procedure<void, void> {
  return { codec: MOUNTPROC3_UMNTALL, handle: (_args, ctx) => svc.unmountAll(ctx.remote) };
}
