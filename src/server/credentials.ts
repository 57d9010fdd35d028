/**
 * The identity a call acts as on an export, after squashing (exports(5)):
 * AUTH_NONE callers and, unless no_root_squash, root are mapped to the
 * anonymous uid/gid, including a supplementary group 0; with all_squash,
 * every caller is, with no supplementary groups (as knfsd).
 */
import type { Credentials } from '../backend/backend.js';
import type { AuthSys } from '../rpc/auth.js';
import type { AccessOptions } from './access.js';

export function credentialsFor(auth: AuthSys | undefined, opts: AccessOptions): Credentials {
  if (!auth || opts.allSquash) return { uid: opts.anonUid, gid: opts.anonGid, gids: [] };
  if (opts.noRootSquash) return { uid: auth.uid, gid: auth.gid, gids: auth.gids };
  return {
    uid: auth.uid === 0 ? opts.anonUid : auth.uid,
    gid: auth.gid === 0 ? opts.anonGid : auth.gid,
    gids: auth.gids.map((g) => (g === 0 ? opts.anonGid : g)),
  };
}
