/** CREATE (RFC 1813 section 3.3.8). */
import type { CreateHow } from '../../backend/backend.js';
import { CreateMode } from '../../proto/nfs3/constants.js';
import { CREATE, type CreateArgs, type CreateHow3, type CreateResult } from '../../proto/nfs3/create.js';
import type { Procedure } from '../program.js';
import { makeEntry } from './new-entry.js';
import type { Nfs3Support } from './support.js';

function backendHow(how: CreateHow3): CreateHow {
  // The verifier is a view into the request buffer and the backend keeps it: hand it a copy.
  return how.mode === CreateMode.EXCLUSIVE
    ? { mode: how.mode, verifier: Buffer.from(how.verf) }
    : { mode: how.mode, attrs: how.objAttributes };
}

export function create(s: Nfs3Support): Procedure<CreateArgs, CreateResult> {
  return {
    codec: CREATE,
    handle: ({ where, how }, call) =>
      makeEntry(s, CREATE.name, where, call, (t) => t.backend.create(t.handle, where.name, backendHow(how), t.op)),
  };
}
