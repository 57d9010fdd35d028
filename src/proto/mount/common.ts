/**
 * MOUNT types shared by versions 1 and 3 (RFC 1813 appendix I): paths,
 * the mount list and the export list. Paths and names are XDR strings,
 * decoded as UTF-8 (export paths are configured as text).
 */
import type { XdrReader } from '../../xdr/reader.js';
import type { XdrWriter } from '../../xdr/writer.js';
import { readList, writeList } from '../nfs3/common.js';
import { MNTNAMLEN, MNTPATHLEN, MountStat3 } from './constants.js';

/** mountbody: one entry of the mount list. */
export interface MountBody {
  hostname: string;
  directory: string;
}

/** exportnode: one export and the clients (groups) allowed to mount it. */
export interface ExportNode {
  dir: string;
  groups: string[];
}

/**
 * The shape of an MNT result (mountres3, fhstatus): a union on the status,
 * carrying `Ok` only with MNT3_OK.
 */
export type MountResult<Ok extends object> =
  | ({ status: MountStat3.OK } & Ok)
  | { status: Exclude<MountStat3, MountStat3.OK> };

const STATUSES: ReadonlySet<number> = new Set(Object.values(MountStat3).filter((v) => typeof v === 'number'));

export function readMountStat(r: XdrReader): MountStat3 {
  return r.enumOf<MountStat3>(STATUSES, 'mountstat3');
}

export function readMountResult<Ok extends object>(r: XdrReader, readOk: (r: XdrReader) => Ok): MountResult<Ok> {
  const status = readMountStat(r);
  return status === MountStat3.OK ? { status, ...readOk(r) } : { status };
}

export function writeMountResult<Ok extends object>(
  w: XdrWriter,
  res: MountResult<Ok>,
  writeOk: (w: XdrWriter, ok: Ok) => void,
): void {
  w.u32(res.status);
  if (res.status === MountStat3.OK) writeOk(w, res as Ok);
}

export function readDirpath(r: XdrReader): string {
  return r.string(MNTPATHLEN);
}

export function writeDirpath(w: XdrWriter, path: string): void {
  w.string(path);
}

function readName(r: XdrReader): string {
  return r.string(MNTNAMLEN);
}

function writeName(w: XdrWriter, name: string): void {
  w.string(name);
}

function readMountBody(r: XdrReader): MountBody {
  const hostname = readName(r);
  const directory = readDirpath(r);
  return { hostname, directory };
}

function writeMountBody(w: XdrWriter, b: MountBody): void {
  writeName(w, b.hostname);
  writeDirpath(w, b.directory);
}

export function readMountList(r: XdrReader): MountBody[] {
  return readList(r, readMountBody);
}

export function writeMountList(w: XdrWriter, list: readonly MountBody[]): void {
  writeList(w, list, writeMountBody);
}

function readExportNode(r: XdrReader): ExportNode {
  const dir = readDirpath(r);
  const groups = readList(r, readName);
  return { dir, groups };
}

function writeExportNode(w: XdrWriter, e: ExportNode): void {
  writeDirpath(w, e.dir);
  writeList(w, e.groups, writeName);
}

export function readExports(r: XdrReader): ExportNode[] {
  return readList(r, readExportNode);
}

export function writeExports(w: XdrWriter, list: readonly ExportNode[]): void {
  writeList(w, list, writeExportNode);
}
