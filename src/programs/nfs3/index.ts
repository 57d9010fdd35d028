/**
 * NFS version 3 (RFC 1813): the program's procedure table. Each procedure
 * lives in its own module, named after the RFC procedure.
 */
import { NFS_PROGRAM, NFS_V3 } from '../../proto/nfs3/constants.js';
import type { ServerEnv } from '../../server/env.js';
import { nonIdempotent, nullProcedure, procedureTable, program, type Program } from '../program.js';
import { access } from './access.js';
import { commit } from './commit.js';
import { create } from './create.js';
import { fsinfo } from './fsinfo.js';
import { fsstat } from './fsstat.js';
import { getattr } from './getattr.js';
import { link } from './link.js';
import { lookup } from './lookup.js';
import { mkdir } from './mkdir.js';
import { mknod } from './mknod.js';
import { pathconf } from './pathconf.js';
import { read } from './read.js';
import { readdir } from './readdir.js';
import { readdirplus } from './readdirplus.js';
import { readlink } from './readlink.js';
import { remove } from './remove.js';
import { rename } from './rename.js';
import { rmdir } from './rmdir.js';
import { setattr } from './setattr.js';
import { symlink } from './symlink.js';
import { Nfs3Support } from './support.js';
import { write } from './write.js';

/**
 * The procedures marked nonIdempotent are those knfsd answers from its reply
 * cache: running them twice changes the answer. WRITE is left out: rewriting
 * the same bytes at the same offset is harmless, and its payload is large.
 */
export function createNfs3Program(env: ServerEnv): Program {
  const s = new Nfs3Support(env);
  return program(NFS_PROGRAM, 'nfs', [
    procedureTable(NFS_V3, [
      nullProcedure,
      getattr(s),
      nonIdempotent(setattr(s)),
      lookup(s),
      access(s),
      readlink(s),
      read(s),
      write(s),
      nonIdempotent(create(s)),
      nonIdempotent(mkdir(s)),
      nonIdempotent(symlink(s)),
      nonIdempotent(mknod(s)),
      nonIdempotent(remove(s)),
      nonIdempotent(rmdir(s)),
      nonIdempotent(rename(s)),
      nonIdempotent(link(s)),
      readdir(s),
      readdirplus(s),
      fsstat(s),
      fsinfo(s),
      pathconf(s),
      commit(s),
    ]),
  ]);
}
