/** MKDIR (RFC 1813 section 3.3.9). */
import { MKDIR, type MkdirArgs, type MkdirResult } from '../../proto/nfs3/mkdir.js';
import type { Procedure } from '../program.js';
import { makeEntry } from './new-entry.js';
import type { Nfs3Support } from './support.js';

export function mkdir(s: Nfs3Support): Procedure<MkdirArgs, MkdirResult> {
  return {
    codec: MKDIR,
    handle: ({ where, attributes }, call) =>
      makeEntry(s, MKDIR.name, where, call, (t) => t.backend.mkdir(t.handle, where.name, attributes, t.op)),
  };
}
