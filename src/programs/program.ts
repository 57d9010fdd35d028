/**
 * The server side of an RPC program: a table of procedures per version,
 * each pairing a codec with a handler. The dispatcher finds the handler by
 * (program, version, procedure) and owns everything about RPC itself; a
 * handler sees decoded arguments and returns a result value.
 */
import type { AuthSys } from '../rpc/auth.js';
import { NULL_CODEC, type ProcedureCodec } from '../proto/procedure.js';

export interface Remote {
  address: string;
  port: number;
  transport: 'tcp' | 'udp';
}

export interface CallContext {
  xid: number;
  remote: Remote;
  /** The AUTH_SYS credential when the call carried one; undefined for AUTH_NONE. */
  auth: AuthSys | undefined;
  /** When the transport had read the call (performance.now()), if it came from one: see OpContext. */
  receivedAt?: number;
}

export interface Procedure<A = any, R = any> {
  codec: ProcedureCodec<A, R>;
  handle(args: A, ctx: CallContext): Promise<R> | R;
  /** Flavors this procedure accepts; defaults to AUTH_NONE and AUTH_SYS. */
  flavors?: readonly number[];
  /** Not idempotent: a retransmission must get the original reply, not run again (src/net/reply-cache.ts). */
  cacheReplies?: boolean;
}

export interface ProgramVersion {
  vers: number;
  procedures: ReadonlyMap<number, Procedure>;
}

export interface Program {
  prog: number;
  name: string;
  versions: ReadonlyMap<number, ProgramVersion>;
}

/** Builds a version's table from its procedure modules, refusing duplicates. */
export function procedureTable(vers: number, procedures: readonly Procedure[]): ProgramVersion {
  const map = new Map<number, Procedure>();
  for (const p of procedures) {
    if (map.has(p.codec.proc)) throw new Error(`duplicate procedure ${p.codec.name} (${p.codec.proc})`);
    map.set(p.codec.proc, p);
  }
  return { vers, procedures: map };
}

export function program(prog: number, name: string, versions: readonly ProgramVersion[]): Program {
  return { prog, name, versions: new Map(versions.map((v) => [v.vers, v])) };
}

/** Procedure 0, the ping every program answers. */
export const nullProcedure: Procedure<void, void> = { codec: NULL_CODEC, handle() {} };

/** Marks a procedure whose retransmissions must be answered from the reply cache. */
export function nonIdempotent<A, R>(p: Procedure<A, R>): Procedure<A, R> {
  return { ...p, cacheReplies: true };
}
