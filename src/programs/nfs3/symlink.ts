/** SYMLINK (RFC 1813 section 3.3.10). */
import { SYMLINK, type SymlinkArgs, type SymlinkResult } from '../../proto/nfs3/symlink.js';
import type { Procedure } from '../program.js';
import { makeEntry } from './new-entry.js';
import type { Nfs3Support } from './support.js';

export function symlink(s: Nfs3Support): Procedure<SymlinkArgs, SymlinkResult> {
  return {
    codec: SYMLINK,
    handle: ({ where, symlink: { symlinkAttributes, symlinkData } }, call) =>
      makeEntry(s, SYMLINK.name, where, call, (t) =>
        t.backend.symlink(t.handle, where.name, symlinkData, symlinkAttributes, t.op),
      ),
  };
}
