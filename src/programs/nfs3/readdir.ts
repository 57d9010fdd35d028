/**
 * READDIR, and the paging READDIRPLUS shares with it: ask the backend for
 * a page from the client's cookie, then keep as many entries as the client's
 * byte budget holds, measured in exact XDR bytes.
 */
import type { DirEntry, DirPage } from '../../backend/backend.js';
import { NfsError, statusOf } from '../../backend/errors.js';
import { NFS3_COOKIEVERFSIZE, NfsStat3 } from '../../proto/nfs3/constants.js';
import {
  dirResOkOverhead,
  entry3Size,
  READDIR,
  type DirList,
  type Entry3,
  type ReaddirArgs,
  type ReaddirResult,
} from '../../proto/nfs3/readdir.js';
import type { Fattr3 } from '../../proto/nfs3/types.js';
import type { Procedure } from '../program.js';
import type { Nfs3Support, Target } from './support.js';

const ZERO_VERIFIER = Buffer.alloc(NFS3_COOKIEVERFSIZE);

/** The smallest entry3 (a one-byte name): bounds how many entries a budget can ever hold. */
export const MIN_ENTRY3 = entry3Size({ fileid: 0n, name: Buffer.alloc(1), cookie: 0n });

export interface ListedPage extends DirPage {
  /** The directory's post-op attributes, fetched when the backend gave none. */
  dirAttributes: Fattr3 | undefined;
}

/**
 * One page from the backend. Verifiers are lenient: a backend that refuses
 * the client's verifier as stale is asked again without one, because Linux
 * clients loop on BAD_COOKIE and macOS Finder gives up (field notes); only a
 * cookie the backend cannot place at all stays BAD_COOKIE.
 */
export async function listPage(
  s: Nfs3Support,
  t: Target,
  cookie: bigint,
  verifier: Buffer,
  maxEntries: number,
  withAttrs: boolean,
  admit?: (name: Buffer) => boolean,
): Promise<ListedPage> {
  const req = { cookie, verifier, maxEntries, withAttrs, admit };
  let page: DirPage;
  try {
    page = await t.backend.readdir(t.handle, req, t.op);
  } catch (err) {
    if (statusOf(err) !== NfsStat3.BAD_COOKIE || verifier.equals(ZERO_VERIFIER)) throw err;
    page = await t.backend.readdir(t.handle, { ...req, verifier: ZERO_VERIFIER }, t.op);
  }
  return { ...page, dirAttributes: await s.postOpAttrs(t, page.dirAttrs) };
}

/**
 * The page's entries, in order, for as long as `take` (which converts an
 * entry and charges it to the caller's budgets) accepts them. eof only when
 * the backend's eof was reached and nothing was cut. Not one entry fitting
 * is TOOSMALL: an empty, non-eof reply would have the client ask forever.
 */
export function fill<E>(page: DirPage, take: (d: DirEntry, first: boolean) => E | undefined): DirList<E> {
  const entries: E[] = [];
  for (const d of page.entries) {
    const e = take(d, entries.length === 0);
    if (e === undefined) break;
    entries.push(e);
  }
  if (entries.length === 0 && page.entries.length > 0) throw new NfsError(NfsStat3.TOOSMALL);
  return { entries, eof: page.eof && entries.length === page.entries.length };
}

/** The budget left for entries once the resok's fixed part is paid; TOOSMALL when not even that fits. */
export function entryBudget(maxBytes: number, dirAttributes: Fattr3 | undefined): number {
  const room = maxBytes - dirResOkOverhead(dirAttributes);
  if (room < 0) throw new NfsError(NfsStat3.TOOSMALL);
  return room;
}

export function readdir(s: Nfs3Support): Procedure<ReaddirArgs, ReaddirResult> {
  return {
    codec: READDIR,
    async handle(args, call) {
      let dir: Target | undefined;
      try {
        dir = s.target(args.dir, call);
        const count = Math.min(args.count, s.env.limits.readMax);
        const maxEntries = Math.max(1, Math.floor(count / MIN_ENTRY3));
        const page = await listPage(s, dir, args.cookie, args.cookieverf, maxEntries, false);
        let room = entryBudget(count, page.dirAttributes);
        const reply = fill(page, (d): Entry3 | undefined => {
          const e = { fileid: d.fileid, name: d.name, cookie: d.cookie };
          room -= entry3Size(e);
          return room >= 0 ? e : undefined;
        });
        return { status: NfsStat3.OK, dirAttributes: page.dirAttributes, cookieverf: page.verifier, reply };
      } catch (err) {
        return { status: s.status(err, 'READDIR'), dirAttributes: await s.attrsAfterFailure(dir) };
      }
    },
  };
}
