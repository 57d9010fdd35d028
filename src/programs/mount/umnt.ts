/** UMNT: a void reply, exactly as RFC 1813 gives it (shared by versions 1 and 3). */
import { MOUNTPROC3_UMNT } from '../../proto/mount/v3.js';
import type { Procedure } from '../program.js';
import type { MountService } from './service.js';

export function umnt(svc: MountService): Procedure<string, void> {
  return { codec: MOUNTPROC3_UMNT, handle: (dirpath, ctx) => svc.unmount(dirpath, ctx.remote) };
}
