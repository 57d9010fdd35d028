/** EXPORT: every export and who may mount it (shared by versions 1 and 3). */
import type { ExportNode } from '../../proto/mount/common.js';
import { MOUNTPROC3_EXPORT } from '../../proto/mount/v3.js';
import type { Procedure } from '../program.js';
import type { MountService } from './service.js';

export function exportProc(svc: MountService): Procedure<void, ExportNode[]> {
  return { codec: MOUNTPROC3_EXPORT, handle: () => svc.exportList() };
}
