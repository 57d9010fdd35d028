/**
 * The exports(5) file as Linux admins write it:
 *
 *   /srv/media  192.168.1.0/24(rw,sync) *.lan(ro) host1(rw)
 *   "/srv/my files"  -rw,insecure  10.0.0.1  10.0.0.2(ro)
 *
 * A path (quoted, or with \040-style octal escapes, for spaces), then client
 * specs: `*`, a host name, a wildcard name (`*` and `?`), an IPv4 or IPv6
 * address or network (`/prefix`, or `/netmask` for IPv4), each optionally
 * followed by an option list with no space before it. `-options` sets the
 * defaults for the specs after it on the line. A trailing backslash
 * continues a line; `#` starts a comment. knfsd's defaults apply: ro, sync,
 * root_squash, secure, anonuid=anongid=65534.
 *
 * Stricter than exportfs where it only warns, since these are security
 * mistakes: an option list after a space (`/srv (rw)` grants rw to the whole
 * world), a path with no client, an unknown option, or a client listed twice
 * are errors, each reported with file:line:column.
 */
import { readFile } from 'node:fs/promises';
import { parseHostPattern, type AccessOptions, type ClientRule } from './access.js';
import { exportIdOf } from './exports.js';

export interface ExportsEntry {
  path: string;
  /** Where the path was written (for messages). */
  line: number;
  clients: ClientRule[];
  /** fsid=: the export id handles carry (a number as is, a uuid hashed); undefined: derived from the path. */
  id: number | undefined;
  /** mountpoint/mp: served only while a filesystem is mounted at this path. */
  mountpoint: string | undefined;
}

/** Per client: sync/async is accepted and recorded; replies are always honest about stability either way. */
export interface ParsedClientRule extends ClientRule {
  writes: 'sync' | 'async';
}

export interface ExportsProblem {
  line: number;
  column: number;
  message: string;
}

export class ExportsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ExportsProblem[],
  ) {
    super(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
    this.name = 'ExportsFileError';
  }
}

/** knfsd's defaults (exports(5)). */
export const EXPORTS_FILE_DEFAULTS: AccessOptions = {
  readOnly: true,
  anonUid: 65534,
  anonGid: 65534,
  noRootSquash: false,
  allSquash: false,
  secure: true,
};

interface Token {
  text: string;
  line: number;
  /** Source column (1-based) of each character of text. */
  cols: number[];
  /** Index in text of the unquoted '(' opening an option list, -1 if none. */
  open: number;
  /** Index in text of the unquoted ')' closing it, -1 if none. */
  close: number;
}

interface LogicalLine {
  tokens: Token[];
}

/** Splits the text into lines of tokens: quotes, octal escapes, comments and continuations resolved. */
function tokenize(text: string, problems: ExportsProblem[]): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let tokens: Token[] = [];
  let tok: Token | undefined;
  let line = 1;
  let col = 1;
  let quoted = false;
  let depth = 0;
  const push = (ch: string, c: number): void => {
    tok ??= { text: '', line, cols: [], open: -1, close: -1 };
    tok.text += ch;
    tok.cols.push(c);
  };
  const endToken = (): void => {
    if (tok) {
      if (depth > 0) problems.push({ line: tok.line, column: tok.cols[tok.open]!, message: 'option list not closed with ")"' });
      tokens.push(tok);
    }
    tok = undefined;
    depth = 0;
  };
  const endLine = (): void => {
    endToken();
    if (tokens.length > 0) lines.push({ tokens });
    tokens = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const c = col;
    col++;
    if (ch === '\n') {
      if (quoted) problems.push({ line, column: c, message: 'quote not closed on its line' });
      quoted = false;
      endLine();
      line++;
      col = 1;
      continue;
    }
    if (ch === '\\') {
      const next = text.slice(i + 1, i + 4);
      if (text[i + 1] === '\n' && !quoted) {
        // Continuation: the next physical line belongs to this one.
        endToken();
        i++;
        line++;
        col = 1;
        continue;
      }
      if (/^[0-7]{3}$/.test(next)) {
        push(String.fromCharCode(parseInt(next, 8)), c);
        i += 3;
        col += 3;
        continue;
      }
      push(ch, c);
      continue;
    }
    if (ch === '"') {
      quoted = !quoted;
      tok ??= { text: '', line, cols: [], open: -1, close: -1 };
      continue;
    }
    if (quoted) {
      push(ch, c);
      continue;
    }
    if (ch === '#') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      // Spaces inside an option list are forgiven: "host(rw, sync)" means what it says.
      if (depth === 0) endToken();
      continue;
    }
    if (ch === '(') {
      if (tok?.open !== undefined && tok.open >= 0) {
        problems.push({ line, column: c, message: 'a second "(" in one client spec' });
      } else {
        push(ch, c);
        tok!.open = tok!.text.length - 1;
        depth = 1;
        continue;
      }
    }
    if (ch === ')') {
      if (depth === 0) {
        problems.push({ line, column: c, message: '")" without "("' });
      } else {
        push(ch, c);
        tok!.close = tok!.text.length - 1;
        depth = 0;
        continue;
      }
    }
    push(ch, c);
  }
  if (quoted) problems.push({ line, column: col, message: 'quote not closed' });
  endLine();
  return lines;
}

interface EntryBuilder {
  entry: ExportsEntry;
  /** Where fsid= / mountpoint were set, for conflicts. */
  idFrom: string | undefined;
  mountpointFrom: string | undefined;
}

/** One option applied to `o`; export-wide ones recorded on the entry; an error message or undefined. */
function applyOption(
  name: string,
  value: string | undefined,
  o: AccessOptions & { writes: 'sync' | 'async' },
  b: EntryBuilder,
): string | undefined {
  const flag = (set: () => void): string | undefined => {
    if (value !== undefined) return `option ${name} takes no value`;
    set();
    return undefined;
  };
  const id = (v: string | undefined): string | undefined => {
    if (v === undefined || !/^\d{1,10}$/.test(v) || Number(v) > 0xffffffff) return `${name}= needs a number 0..4294967295`;
    return undefined;
  };
  switch (name) {
    case 'rw':
      return flag(() => (o.readOnly = false));
    case 'ro':
      return flag(() => (o.readOnly = true));
    case 'sync':
      return flag(() => (o.writes = 'sync'));
    case 'async':
      return flag(() => (o.writes = 'async'));
    case 'root_squash':
      return flag(() => (o.noRootSquash = false));
    case 'no_root_squash':
      return flag(() => (o.noRootSquash = true));
    case 'all_squash':
      return flag(() => (o.allSquash = true));
    case 'no_all_squash':
      return flag(() => (o.allSquash = false));
    case 'secure':
      return flag(() => (o.secure = true));
    case 'insecure':
      return flag(() => (o.secure = false));
    // Accepted because they describe what this server does anyway.
    case 'no_subtree_check': // handles are authenticated and only ever issued below the export's root
    case 'wdelay':
    case 'no_wdelay': // write gathering is a knfsd scheduling detail
      return flag(() => {});
    case 'sec':
      return value === 'sys' ? undefined : `sec=${value ?? ''}: only sec=sys (AUTH_SYS) is supported`;
    case 'subtree_check':
      return 'subtree_check is not supported (handles are authenticated instead): use no_subtree_check';
    case 'anonuid':
    case 'anongid': {
      const err = id(value);
      if (err) return err;
      if (name === 'anonuid') o.anonUid = Number(value);
      else o.anonGid = Number(value);
      return undefined;
    }
    case 'fsid': {
      let fsid: number;
      if (value !== undefined && /^\d+$/.test(value)) {
        const err = id(value);
        if (err) return err;
        fsid = Number(value);
      } else if (value === 'root') {
        fsid = 0;
      } else {
        const hex = value?.replace(/[-:]/g, '') ?? '';
        if (!/^[0-9a-fA-F]{32}$/.test(hex)) return 'fsid= needs a number, "root" or a 128-bit uuid';
        fsid = exportIdOf(`uuid:${hex.toLowerCase()}`);
      }
      if (b.entry.id !== undefined && b.entry.id !== fsid) return `fsid=${value} conflicts with ${b.idFrom} given for the same path`;
      b.entry.id = fsid;
      b.idFrom = `fsid=${value}`;
      return undefined;
    }
    case 'mountpoint':
    case 'mp': {
      if (value !== undefined && !value.startsWith('/')) return `${name}=${value}: not an absolute path`;
      const mp = value ?? b.entry.path;
      if (b.entry.mountpoint !== undefined && b.entry.mountpoint !== mp) {
        return `${name}${value === undefined ? '' : `=${value}`} conflicts with ${b.mountpointFrom} given for the same path`;
      }
      b.entry.mountpoint = mp;
      b.mountpointFrom = value === undefined ? name : `${name}=${value}`;
      return undefined;
    }
    default:
      return `unknown option "${value === undefined ? name : `${name}=${value}`}"`;
  }
}

/** Applies a comma-separated list (text[from..to)) of `tok` to a copy of `base`. */
function applyOptions(
  tok: Token,
  from: number,
  to: number,
  base: AccessOptions & { writes: 'sync' | 'async' },
  b: EntryBuilder,
  problems: ExportsProblem[],
): AccessOptions & { writes: 'sync' | 'async' } {
  const o = { ...base };
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && tok.text[i] !== ',') continue;
    const raw = tok.text.slice(start, i);
    const column = tok.cols[start] ?? tok.cols[Math.max(0, start - 1)]!;
    if (raw === '') problems.push({ line: tok.line, column, message: 'empty option' });
    else {
      const eq = raw.indexOf('=');
      const err = applyOption(eq < 0 ? raw : raw.slice(0, eq), eq < 0 ? undefined : raw.slice(eq + 1), o, b);
      if (err) problems.push({ line: tok.line, column, message: err });
    }
    start = i + 1;
  }
  return o;
}

/** An absolute path with '//', '.' and a trailing '/' collapsed; '..' refused. */
function exportPath(tok: Token, problems: ExportsProblem[]): string | undefined {
  const p = tok.text;
  const at = (message: string, index = 0): undefined => {
    problems.push({ line: tok.line, column: tok.cols[index] ?? 1, message });
    return undefined;
  };
  if (tok.open >= 0) return at('an option list needs a client before it (e.g. *(rw)), not a path', tok.open);
  if (!p.startsWith('/')) return at(`"${p}": an export path must be absolute`);
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) return at(`"${p}": '..' is not allowed in an export path`);
  if (p.includes('\0')) return at(`"${p}": NUL in an export path`);
  return '/' + parts.join('/');
}

export function parseExports(text: string, file = 'exports'): ExportsEntry[] {
  const problems: ExportsProblem[] = [];
  const byPath = new Map<string, EntryBuilder>();
  for (const { tokens } of tokenize(text, problems)) {
    const [first, ...rest] = tokens;
    const path = exportPath(first!, problems);
    if (path === undefined) continue;
    let b = byPath.get(path);
    if (!b) {
      b = { entry: { path, line: first!.line, clients: [], id: undefined, mountpoint: undefined }, idFrom: undefined, mountpointFrom: undefined };
      byPath.set(path, b);
    }
    let defaults: AccessOptions & { writes: 'sync' | 'async' } = { ...EXPORTS_FILE_DEFAULTS, writes: 'sync' };
    let clients = 0;
    for (const tok of rest) {
      const where = { line: tok.line, column: tok.cols[0]! };
      if (tok.text.startsWith('-')) {
        if (tok.open >= 0) problems.push({ ...where, message: 'default options are written -opt,opt without parentheses' });
        else defaults = applyOptions(tok, 1, tok.text.length, defaults, b, problems);
        continue;
      }
      clients++;
      if (tok.open === 0) {
        problems.push({ ...where, message: `"${tok.text}": an option list after a space applies to every host; write *${tok.text} if that is meant` });
        continue;
      }
      if (tok.open >= 0 && tok.close < 0) continue; // reported by tokenize()
      if (tok.open >= 0 && tok.close !== tok.text.length - 1) {
        problems.push({ line: tok.line, column: tok.cols[tok.close + 1] ?? where.column, message: 'text after the option list (a space is missing?)' });
        continue;
      }
      const host = tok.open < 0 ? tok.text : tok.text.slice(0, tok.open);
      const pattern = parseHostPattern(host);
      if (typeof pattern === 'string') {
        problems.push({ ...where, message: pattern });
        continue;
      }
      const options = tok.open < 0 ? { ...defaults } : applyOptions(tok, tok.open + 1, tok.close, defaults, b, problems);
      if (b.entry.clients.some((c) => c.host === host)) {
        problems.push({ ...where, message: `${host} is listed twice for ${path} (the first one would win)` });
        continue;
      }
      const { writes, ...access } = options;
      b.entry.clients.push({ host, pattern, options: access, writes } as ParsedClientRule);
    }
    if (clients === 0) problems.push({ line: first!.line, column: first!.cols[0]!, message: `${path}: no client given (write *(options) to export to everyone)` });
  }
  if (problems.length > 0) throw new ExportsFileError(file, problems.sort((a, b) => a.line - b.line || a.column - b.column));
  return [...byPath.values()].map((b) => b.entry);
}

export async function readExportsFile(file: string): Promise<ExportsEntry[]> {
  return parseExports(await readFile(file, 'utf8'), file);
}
