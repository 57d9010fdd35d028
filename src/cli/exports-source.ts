/**
 * `serve --exports FILE`: the export list from an exports(5) file, read at
 * start and again by each reload. An export with `mountpoint` is left out
 * while nothing is mounted there, so an empty mount point is never served in
 * place of the missing disk; a reload once it is mounted serves it, and its
 * lifecycle makes it absent again when it goes.
 */
import { realpath } from 'node:fs/promises';
import type { Backend } from '../backend/backend.js';
import type { ExportOptions } from '../server/exports.js';
import { readExportsFile } from '../server/exports-file.js';
import type { Logger } from '../server/log.js';
import { mountOf } from '../server/mountinfo.js';
import type { ReloadSpec } from '../server/nfs-server.js';

async function isMountPoint(path: string): Promise<boolean> {
  try {
    const real = await realpath(path);
    return (await mountOf(real))?.point === real;
  } catch {
    return false;
  }
}

/** The file's exports; throws ExportsFileError (file:line:column) for a malformed file. */
export async function exportsFromFile(
  file: string,
  backend: (path: string) => Promise<Backend>,
  options: Partial<ExportOptions>,
  log: Logger,
): Promise<ReloadSpec[]> {
  const specs: ReloadSpec[] = [];
  for (const e of await readExportsFile(file)) {
    if (e.mountpoint !== undefined && !(await isMountPoint(e.mountpoint))) {
      log.warn('export not served: nothing is mounted at its mount point (reload once it is)', { export: e.path, mountpoint: e.mountpoint });
      continue;
    }
    specs.push({
      path: e.path,
      ...(e.id !== undefined && { id: e.id }),
      options: { ...options, clients: e.clients },
      backend: () => backend(e.path),
    });
  }
  return specs;
}
