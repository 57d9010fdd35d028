/**
 * Which clients may use an export, with which options: exports(5)'s client
 * list, first match wins (as knfsd), decided once per (client address,
 * export) and cached, so the per-call check is two Map lookups.
 *
 * Host names are matched against the client's names from a reverse lookup,
 * kept only when the name resolves forward to the same address again (as
 * rpc.mountd does): a PTR record is written by whoever owns the client's
 * address block, so a reverse answer alone would let anyone claim any name.
 * Lookups are bounded in time and in number, cached for a short while and
 * refreshed in the background, so slow DNS delays only a host's first call.
 */
import { promises as dns } from 'node:dns';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { unmapAddress } from '../programs/portmap/address.js';
import type { Procedure, Program, Remote } from '../programs/program.js';

/** What an export grants one client (exports(5) options). */
export interface AccessOptions {
  readOnly: boolean;
  /** uid/gid that squashed callers (root unless noRootSquash, everyone with allSquash, AUTH_NONE) act as. */
  anonUid: number;
  anonGid: number;
  noRootSquash: boolean;
  allSquash: boolean;
  /** Calls from source ports >= 1024 are refused (knfsd's default "secure"). */
  secure: boolean;
}

export type HostPattern =
  | { kind: 'any' }
  | { kind: 'net'; family: 'ipv4' | 'ipv6'; list: BlockList }
  | { kind: 'name'; name: string }
  | { kind: 'wildcard'; regex: RegExp };

export interface ClientRule {
  /** As written in the exports file: EXPORT lists it. */
  host: string;
  pattern: HostPattern;
  options: AccessOptions;
}

/** A client spec's host part, or an error message. */
export function parseHostPattern(host: string): HostPattern | string {
  if (host === '*') return { kind: 'any' };
  if (host === '') return 'missing host before the option list';
  if (host.startsWith('@')) return `${host}: NIS netgroups are not supported`;
  if (host.startsWith('gss/')) return `${host}: Kerberos clients are not supported (AUTH_SYS only)`;
  const slash = host.indexOf('/');
  const addr = slash < 0 ? host : host.slice(0, slash);
  const family = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : undefined;
  if (family) {
    const list = new BlockList();
    const max = family === 'ipv4' ? 32 : 128;
    const mask = slash < 0 ? String(max) : host.slice(slash + 1);
    let prefix: number | undefined;
    if (/^\d{1,3}$/.test(mask) && Number(mask) <= max) prefix = Number(mask);
    else if (family === 'ipv4' && isIPv4(mask)) prefix = netmaskPrefix(mask);
    if (prefix === undefined) return `${host}: bad network mask "${mask}"`;
    list.addSubnet(addr, prefix, family);
    return { kind: 'net', family, list };
  }
  if (slash >= 0) return `${host}: not an address/prefix`;
  if (!/^[A-Za-z0-9_.*?-]+$/.test(host)) return `${host}: not a host name, address, network or wildcard`;
  const name = canonicalName(host);
  if (!/[*?]/.test(name)) return { kind: 'name', name };
  const source = name.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return { kind: 'wildcard', regex: new RegExp(`^${source}$`) };
}

/** 255.255.255.0 → 24; undefined for a mask that is not contiguous ones. */
function netmaskPrefix(mask: string): number | undefined {
  const n = mask.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  for (let p = 0; p <= 32; p++) {
    if (n === (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0)) return p;
  }
  return undefined;
}

function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function matches(p: HostPattern, address: string, names: readonly string[]): boolean {
  switch (p.kind) {
    case 'any':
      return true;
    case 'net': {
      const family = isIPv4(address) ? 'ipv4' : 'ipv6';
      return family === p.family && p.list.check(address, family);
    }
    case 'name':
      return names.includes(p.name);
    case 'wildcard':
      return names.some((n) => p.regex.test(n));
  }
}

const needsNames = (r: ClientRule): boolean => r.pattern.kind === 'name' || r.pattern.kind === 'wildcard';

/** The options of the first rule matching the client, undefined when none does (the client is not allowed). */
export function firstMatch(rules: readonly ClientRule[], address: string, names: readonly string[]): AccessOptions | undefined {
  const a = unmapAddress(address);
  return rules.find((r) => matches(r.pattern, a, names))?.options;
}

/** Names of an address, confirmed forward; never rejects. */
export type NameResolver = (address: string) => Promise<string[]>;

/**
 * Reverse names come from both resolvers Node has. dns.reverse (c-ares)
 * gives a PTR answer's names but, for an /etc/hosts line, only its aliases:
 * the line's first (canonical) name is left out, so `127.0.0.1 localhost` or
 * `192.168.1.20 laptop` would name nobody. dns.lookupService is getnameinfo,
 * through nsswitch as rpc.mountd asks, and gives that canonical name.
 */
export async function confirmedNames(address: string): Promise<string[]> {
  const [ptr, nss] = await Promise.allSettled([dns.reverse(address), dns.lookupService(address, 0)]);
  const names = new Set(ptr.status === 'fulfilled' ? ptr.value : []);
  if (nss.status === 'fulfilled') names.add(nss.value.hostname);
  const confirmed = await Promise.all(
    [...names].map(async (name) => {
      try {
        const found = await dns.lookup(name, { all: true });
        return found.some((f) => unmapAddress(f.address) === address) ? [canonicalName(name)] : [];
      } catch {
        return [];
      }
    }),
  );
  return confirmed.flat();
}

export interface AccessControlOptions {
  resolve: NameResolver;
  /** How long a call waits for a client's names (default 2 s); later it is decided without them. */
  lookupTimeoutMs: number;
  /** How long names are used before they are looked up again (default 5 min). */
  namesTtlMs: number;
  /** Lookups running at once; beyond, a client is decided without names (default 64). */
  maxLookups: number;
  /** Client addresses remembered (default 4096): spoofed UDP sources must not grow memory. */
  maxClients: number;
}

export const DEFAULT_ACCESS_CONTROL: AccessControlOptions = {
  resolve: confirmedNames,
  lookupTimeoutMs: 2000,
  namesTtlMs: 5 * 60_000,
  maxLookups: 64,
  maxClients: 4096,
};

interface Names {
  names: string[];
  expires: number;
  refreshing: Promise<void> | undefined;
}

/** An export as far as access is concerned: its rules, or undefined for everyone with `options`. */
export interface Governed {
  readonly options: AccessOptions & { clients?: readonly ClientRule[] | undefined };
}

export class AccessControl {
  private readonly opts: AccessControlOptions;
  /** Client address → export → its options there (null: not allowed). */
  private readonly decisions = new Map<string, Map<Governed, AccessOptions | null>>();
  private readonly names = new Map<string, Names>();
  /** First lookups of addresses not known yet: concurrent calls share one. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Exports with name rules: only their decisions wait for names. */
  private named = new Set<Governed>();

  constructor(opts: Partial<AccessControlOptions> = {}) {
    this.opts = { ...DEFAULT_ACCESS_CONTROL, ...opts };
  }

  /** The exports (or their rules) changed: every decision is made again. */
  reset(exports: readonly Governed[]): void {
    this.decisions.clear();
    this.named = new Set(exports.filter((e) => e.options.clients?.some(needsNames) ?? false));
  }

  /** The client's options on the export, undefined when it is not allowed. */
  decide(exp: Governed, address: string): AccessOptions | undefined {
    let perExport = this.decisions.get(address);
    const cached = perExport?.get(exp);
    if (cached !== undefined) return cached ?? undefined;
    const rules = exp.options.clients;
    if (!rules) return exp.options;
    const known = this.names.get(address);
    const decided = firstMatch(rules, address, known?.names ?? []) ?? null;
    // Decided without names that might have allowed it: not remembered, the lookup may still come back.
    if (known === undefined && this.named.has(exp)) return decided ?? undefined;
    if (!perExport) {
      if (this.decisions.size >= this.opts.maxClients) this.decisions.delete(this.decisions.keys().next().value!);
      perExport = new Map();
      this.decisions.set(address, perExport);
    }
    perExport.set(exp, decided);
    return decided ?? undefined;
  }

  /**
   * Before a call is decided: undefined when it can be decided now; else a
   * promise that settles once the client's names are known or the bound ran out.
   */
  prepare(address: string): Promise<void> | undefined {
    if (this.named.size === 0) return undefined;
    const known = this.names.get(address);
    if (known) {
      if (known.expires <= Date.now() && !known.refreshing) known.refreshing = this.lookup(address);
      return undefined;
    }
    let pending = this.pending.get(address);
    if (!pending) {
      if (this.pending.size >= this.opts.maxLookups) return undefined;
      pending = this.lookup(address).finally(() => this.pending.delete(address));
      this.pending.set(address, pending);
    }
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.opts.lookupTimeoutMs);
      timer.unref();
    });
    return Promise.race([pending, bound]).finally(() => clearTimeout(timer));
  }

  private async lookup(address: string): Promise<void> {
    const names = await this.opts.resolve(unmapAddress(address)).catch((): string[] => []);
    if (!this.names.has(address) && this.names.size >= this.opts.maxClients) this.names.delete(this.names.keys().next().value!);
    this.names.set(address, { names, expires: Date.now() + this.opts.namesTtlMs, refreshing: undefined });
    this.decisions.delete(address);
  }
}

/**
 * A program whose calls (but NULL) first wait, bounded, for their client's
 * names when an export matches hosts by name, so the per-call decision in the
 * handlers stays synchronous. A client already known pays one Map lookup.
 */
export function preparingClients(program: Program, prepare: (remote: Remote) => Promise<void> | undefined): Program {
  const wrap = (p: Procedure): Procedure =>
    p.codec.proc === 0
      ? p
      : {
          ...p,
          handle(args, ctx) {
            const ready = prepare(ctx.remote);
            return ready ? ready.then(() => p.handle(args, ctx)) : p.handle(args, ctx);
          },
        };
  const versions = [...program.versions.values()].map((v) => ({ vers: v.vers, procedures: new Map([...v.procedures].map(([k, p]) => [k, wrap(p)])) }));
  return { ...program, versions: new Map(versions.map((v) => [v.vers, v])) };
}
