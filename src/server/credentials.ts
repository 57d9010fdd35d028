/**
 * The identity a call acts as on an export, after squashing (exports(5)):
 * AUTH_NONE callers and, unless no_root_squash, root are mapped to the
 * anonymous uid/gid, including a supplementary group 0.
 */
import type { Credentials } from '../backend/backend.js';
import type { AuthSys } from '../rpc/auth.js';
import type { ExportOptions } from './exports.js';

export function credentialsFor(auth: AuthSys | undefined, opts: ExportOptions): Credentials {
  if (!auth) return { uid: opts.anonUid, gid: opts.anonGid, gids: [] };
  if (opts.noRootSquash) return { uid: auth.uid, gid: auth.gid, gids: auth.gids };
  return {
    uid: auth.uid === 0 ? opts.anonUid : auth.uid,
    gid: auth.gid === 0 ? opts.anonGid : auth.gid,
    gids: auth.gids.map((g) => (g === 0 ? opts.anonGid : g)),
  };
}
