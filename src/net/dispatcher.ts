/**
 * The RPC layer proper (RFC 5531): turns one call record into one reply
 * record, whatever the transport. It checks the RPC version, the credential
 * and verifier, finds (program, version, procedure), decodes the arguments,
 * runs the handler and encodes the result. Everything a handler sees is
 * already authenticated and decoded; every failure becomes the RFC's reply.
 *
 * The order of checks follows the reference servers (glibc svc, Linux sunrpc):
 * RPC version, then authentication, then program, version and procedure. So a
 * caller with a credential we cannot accept learns that before anything else.
 *
 * It runs on every request: lookups are Map gets on tables built once, no
 * per-call closures, and results are encoded straight into the reply writer
 * whose segments reference (never copy) large payloads such as READ data.
 */
import { AUTH_NONE, decodeAuthSys, type AuthSys, type OpaqueAuth } from '../rpc/auth.js';
import { AcceptStat, AuthFlavor, AuthStat, MsgType, RPC_VERSION } from '../rpc/constants.js';
import {
  readCallHeader,
  writeAcceptError,
  writeAuthError,
  writeRpcMismatch,
  writeSuccessHeader,
  type CallHeader,
} from '../rpc/message.js';
import type { Logger } from '../server/log.js';
import { XdrError, XdrReader } from '../xdr/reader.js';
import { XdrWriter } from '../xdr/writer.js';
import type { CallContext, Procedure, Program, ProgramVersion, Remote } from '../programs/program.js';
import { ReplyCache, replyCacheKey } from './reply-cache.js';

/** Flavors a procedure accepts when it does not say (Procedure.flavors). */
const DEFAULT_FLAVORS: readonly number[] = [AuthFlavor.AUTH_NONE, AuthFlavor.AUTH_SYS];

interface ProgramEntry {
  program: Program;
  /** Reported in PROG_MISMATCH. */
  low: number;
  high: number;
}

/** Error replies are a few dozen bytes: a small first chunk avoids the default 512-byte allocation. */
const ERROR_REPLY_BYTES = 64;

/** A complete accepted-but-failed reply (PROG_UNAVAIL, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR), as segments. */
export function acceptErrorReply(
  xid: number,
  stat: Exclude<AcceptStat, AcceptStat.SUCCESS>,
  mismatch?: { low: number; high: number },
): Buffer[] {
  const w = new XdrWriter(ERROR_REPLY_BYTES);
  writeAcceptError(w, xid, stat, mismatch);
  return w.segments();
}

function authErrorReply(xid: number, stat: AuthStat): Buffer[] {
  const w = new XdrWriter(ERROR_REPLY_BYTES);
  writeAuthError(w, xid, stat);
  return w.segments();
}

/**
 * The caller's credential, or the auth_stat that rejects it.
 *
 * AUTH_NONE and AUTH_SYS are checked as the Linux server does: an AUTH_NONE
 * credential has an empty body, an AUTH_SYS body decodes exactly (at most 16
 * groups, 255-byte machine name), and with either the verifier is AUTH_NONE
 * with an empty body (RFC 5531 section 14 and appendix A: AUTH_SYS callers
 * send a null verifier).
 *
 * Any other flavor (RPCSEC_GSS, AUTH_DH, AUTH_SHORT we never issued, ...) is
 * AUTH_BADCRED, not AUTH_TOOWEAK: RFC 5531 defines AUTH_TOOWEAK as "rejected
 * for security reasons", a policy verdict on a credential the server
 * understood, and a Linux client reads it as "server requires stronger
 * authentication", the opposite of the truth here. A credential in a flavor we
 * cannot interpret is one we cannot validate, which is AUTH_BADCRED, as knfsd
 * answers (svc_authenticate). AUTH_TOOWEAK is kept for a procedure that
 * refuses a flavor we do understand (Procedure.flavors).
 */
function authenticate(cred: OpaqueAuth, verf: OpaqueAuth): AuthSys | undefined | AuthStat {
  let auth: AuthSys | undefined;
  if (cred.flavor === AuthFlavor.AUTH_SYS) {
    try {
      auth = decodeAuthSys(cred.body);
    } catch (err) {
      if (err instanceof XdrError) return AuthStat.AUTH_BADCRED;
      throw err;
    }
  } else if (cred.flavor !== AuthFlavor.AUTH_NONE || cred.body.length !== 0) {
    return AuthStat.AUTH_BADCRED;
  }
  if (verf.flavor !== AuthFlavor.AUTH_NONE || verf.body.length !== 0) return AuthStat.AUTH_BADVERF;
  return auth;
}

/** The first words of a record whose full header did not decode, if they announce a CALL of another RPC version. */
function foreignRpcVersionXid(record: Buffer): number | undefined {
  if (record.length < 12) return undefined;
  if (record.readUInt32BE(4) !== MsgType.CALL || record.readUInt32BE(8) === RPC_VERSION) return undefined;
  return record.readUInt32BE(0);
}

/** One answered call, for an observer (metrics, call tracing). */
export interface ObservedCall {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  remote: Remote;
  /** process.hrtime.bigint() when the record arrived and when its reply was ready. */
  startNs: bigint;
  endNs: bigint;
  /** The reply record: its RPC status and, when accepted, the procedure's status word. */
  reply: readonly Buffer[];
  /** What the handler returned, when it ran (undefined for refusals and replays). */
  result: unknown;
}

export type CallObserver = (call: ObservedCall) => void;

export class Dispatcher {
  private readonly programs = new Map<number, ProgramEntry>();
  /** Sees every answered call; unset (the default), all it costs is this one check per record. */
  observer: CallObserver | undefined;

  constructor(
    programs: readonly Program[],
    private readonly log: Logger,
    private readonly replyCache = new ReplyCache(),
  ) {
    for (const program of programs) {
      if (this.programs.has(program.prog)) throw new Error(`program ${program.prog} is registered twice`);
      const versions = [...program.versions.keys()];
      if (versions.length === 0) throw new Error(`program ${program.name} has no versions`);
      this.programs.set(program.prog, { program, low: Math.min(...versions), high: Math.max(...versions) });
    }
  }

  /** The programs served, for registration with a portmapper. */
  get served(): Program[] {
    return [...this.programs.values()].map((e) => e.program);
  }

  /** The reply record for one call record, as segments; undefined when the record must be dropped unanswered. */
  dispatch(record: Buffer, remote: Remote, receivedAt?: number): Promise<Buffer[] | undefined> {
    const observer = this.observer;
    return observer === undefined ? this.answer(record, remote, undefined, receivedAt) : this.observed(record, remote, observer, receivedAt);
  }

  /** Not an async function: one promise less per call (every call is observed while metrics are kept). */
  private observed(record: Buffer, remote: Remote, observer: CallObserver, receivedAt: number | undefined): Promise<Buffer[] | undefined> {
    const startNs = process.hrtime.bigint();
    const outcome = { result: undefined as unknown };
    return this.answer(record, remote, outcome, receivedAt).then((reply) => {
      // A record too short for a call header was dropped unanswered: there is no call to report.
      if (reply !== undefined && record.length >= 24) {
        const endNs = process.hrtime.bigint();
        const xid = record.readUInt32BE(0);
        const prog = record.readUInt32BE(12);
        const vers = record.readUInt32BE(16);
        const proc = record.readUInt32BE(20);
        try {
          observer({ xid, prog, vers, proc, remote, startNs, endNs, reply, result: outcome.result });
        } catch (err) {
          // Bookkeeping must never cost the client its reply.
          this.log.error('rpc: call observer failed', { err });
        }
      }
      return reply;
    });
  }

  private async answer(
    record: Buffer,
    remote: Remote,
    outcome: { result: unknown } | undefined,
    receivedAt: number | undefined,
  ): Promise<Buffer[] | undefined> {
    const r = new XdrReader(record);
    let call: CallHeader;
    try {
      call = readCallHeader(r);
    } catch (err) {
      if (!(err instanceof XdrError)) throw err;
      // A call from a future RPC version may lay out its header differently:
      // it still deserves RPC_MISMATCH rather than silence.
      const xid = foreignRpcVersionXid(record);
      if (xid !== undefined) return rpcMismatchReply(xid);
      // No trustworthy header (or a REPLY sent to a server): nothing to answer.
      if (this.log.level === 'debug') this.log.debug('rpc: dropped undecodable record', { remote, err });
      return undefined;
    }
    const xid = call.xid;
    if (call.rpcvers !== RPC_VERSION) return rpcMismatchReply(xid);

    const auth = authenticate(call.cred, call.verf);
    if (typeof auth === 'number') return authErrorReply(xid, auth);

    const entry = this.programs.get(call.prog);
    if (!entry) return acceptErrorReply(xid, AcceptStat.PROG_UNAVAIL);
    const version: ProgramVersion | undefined = entry.program.versions.get(call.vers);
    if (!version) return acceptErrorReply(xid, AcceptStat.PROG_MISMATCH, entry);
    const proc: Procedure | undefined = version.procedures.get(call.proc);
    if (!proc) return acceptErrorReply(xid, AcceptStat.PROC_UNAVAIL);
    if (!(proc.flavors ?? DEFAULT_FLAVORS).includes(call.cred.flavor)) {
      return authErrorReply(xid, AuthStat.AUTH_TOOWEAK);
    }

    let args: unknown;
    const argsStart = r.offset;
    try {
      args = proc.codec.readArgs(r);
    } catch (err) {
      if (!(err instanceof XdrError)) return this.failed(call, proc, remote, err);
      if (this.log.level === 'debug') {
        this.log.debug('rpc: garbage arguments', { prog: call.prog, proc: proc.codec.name, remote, err });
      }
      return acceptErrorReply(xid, AcceptStat.GARBAGE_ARGS);
    }

    if (!proc.cacheReplies) return this.run(call, proc, args, { xid, remote, auth, receivedAt }, outcome);
    const key = replyCacheKey(remote.address, xid, call.prog, call.vers, call.proc, record.subarray(argsStart, r.offset));
    const seen = this.replyCache.begin(key);
    if (seen.kind === 'replay') return [seen.reply];
    // The original is still running: its reply will answer the client.
    if (seen.kind === 'running') return undefined;
    const reply = await this.run(call, proc, args, { xid, remote, auth, receivedAt }, outcome);
    this.replyCache.finish(key, reply);
    return reply;
  }

  private async run(
    call: CallHeader,
    proc: Procedure,
    args: unknown,
    ctx: CallContext,
    outcome: { result: unknown } | undefined,
  ): Promise<Buffer[]> {
    try {
      const pending = proc.handle(args, ctx);
      const result: unknown = pending instanceof Promise ? await pending : pending;
      const w = new XdrWriter();
      writeSuccessHeader(w, call.xid, AUTH_NONE);
      proc.codec.writeResult(w, result);
      if (outcome) outcome.result = result;
      return w.segments();
    } catch (err) {
      return this.failed(call, proc, ctx.remote, err);
    }
  }

  /** A handler (or result encoder) threw: a server bug, reported loudly and answered SYSTEM_ERR. */
  private failed(call: CallHeader, proc: Procedure, remote: Remote, err: unknown): Buffer[] {
    const entry = this.programs.get(call.prog);
    this.log.error('rpc: procedure failed', {
      prog: entry?.program.name ?? call.prog,
      vers: call.vers,
      proc: proc.codec.name,
      xid: call.xid,
      remote: `${remote.transport}:${remote.address}:${remote.port}`,
      err,
      stack: err instanceof Error ? err.stack : undefined,
    });
    return acceptErrorReply(call.xid, AcceptStat.SYSTEM_ERR);
  }
}

function rpcMismatchReply(xid: number): Buffer[] {
  const w = new XdrWriter(ERROR_REPLY_BYTES);
  writeRpcMismatch(w, xid);
  return w.segments();
}

/** Total bytes of a reply given as segments. */
export function replyLength(segments: readonly Buffer[]): number {
  let n = 0;
  for (const s of segments) n += s.length;
  return n;
}
