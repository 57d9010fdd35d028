/**
 * The admin web server: one page, a JSON API doing what the CLI does over the
 * control socket, a Server-Sent Events stream of the status, and /metrics.
 *
 * Who may use it:
 *  - with a token (configured, or always when bound beyond loopback), every
 *    request but the static page needs `Authorization: Bearer <token>`;
 *  - on loopback, the Host header must name a loopback address or localhost,
 *    so a hostile web page cannot reach it through DNS rebinding;
 *  - a POST must come from the page itself: JSON content type (a cross-site
 *    form cannot send it without a preflight we never grant), and no foreign
 *    Origin or Sec-Fetch-Site. The token is not in a cookie, so a browser
 *    never adds it to another site's request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { Administered, ExportStatus } from '../server/admin.js';
import type { Logger } from '../server/log.js';
import type { Totals } from '../server/metrics.js';
import { PAGE_HTML } from './page.js';

export interface AdminHttpOptions {
  host: string;
  port: number;
  /** Required on every API request when set. */
  token?: string;
}

/** What the admin server serves: the control socket's operations, plus metrics and totals. */
export interface AdminApi extends Administered {
  metrics(): Promise<{ contentType: string; body: string }>;
  totals(): Totals & { connections: number };
}

/** What the page receives every second. */
export interface AdminSnapshot {
  time: number;
  exports: ExportStatus[];
  totals: Totals & { connections: number };
}

const EVENT_INTERVAL_MS = 1000;
/** Eject and attach carry no body worth the name. */
const MAX_BODY = 4096;

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x: what only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return h === 'localhost';
}

/** The token in `file`, created (random, mode 0600) when missing. */
export async function tokenFromFile(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  try {
    await writeFile(file, token + '\n', { mode: 0o600, flag: 'wx' });
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(file, 'utf8')).trim();
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The host part of a Host header ("127.0.0.1:8080", "[::1]:8080", "localhost"). */
function hostOf(header: string): string {
  const m = /^\[([^\]]*)\](?::\d+)?$/.exec(header) ?? /^([^:]*)(?::\d+)?$/.exec(header);
  return m ? m[1]! : header;
}

export class AdminHttpServer {
  private server: Server | undefined;
  private readonly streams = new Set<ServerResponse>();
  private ticker: NodeJS.Timeout | undefined;
  private readonly tokenDigest: Buffer | undefined;
  private readonly loopback: boolean;

  constructor(
    private readonly api: AdminApi,
    private readonly opts: AdminHttpOptions,
    private readonly log: Logger,
  ) {
    if (!isLoopback(opts.host) && !opts.token) throw new Error(`admin page on ${opts.host}, beyond loopback: a token is required`);
    this.tokenDigest = opts.token ? digest(opts.token) : undefined;
    this.loopback = isLoopback(opts.host);
  }

  /** Binds; resolves with the port (useful when 0 was asked for). */
  async listen(): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.unref();
    this.server = server;
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : this.opts.port;
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    for (const s of this.streams) s.end();
    this.streams.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const method = req.method ?? 'GET';
    this.checkHost(req);
    if (method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) return this.page(res);
    this.checkToken(req);
    if (method === 'GET') {
      switch (url.pathname) {
        case '/api/status':
          return json(res, 200, await this.api.status());
        case '/api/events':
          return this.events(req, res);
        case '/metrics': {
          const m = await this.api.metrics();
          res.writeHead(200, { 'content-type': m.contentType, 'cache-control': 'no-store' });
          res.end(m.body);
          return;
        }
      }
    }
    const action = /^\/api\/exports\/(.+)\/(eject|attach)$/.exec(url.pathname);
    if (action) {
      if (method !== 'POST') throw new HttpError(405, `${action[2]} needs POST`);
      await this.checkSameOrigin(req);
      const path = decodeComponent(action[1]!);
      const exp = path.startsWith('/') ? path : `/${path}`;
      const result = action[2] === 'eject' ? await this.api.eject(exp) : await this.api.attach(exp);
      json(res, 200, result);
      void this.push();
      return;
    }
    throw new HttpError(404, `no ${method} ${url.pathname}`);
  }

  private page(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(PAGE_HTML);
  }

  /** DNS rebinding: on loopback, a request must name a loopback host. */
  private checkHost(req: IncomingMessage): void {
    if (!this.loopback) return;
    const host = req.headers.host;
    if (host === undefined || !isLoopback(hostOf(host))) throw new HttpError(403, 'the admin page answers to loopback host names only');
  }

  private checkToken(req: IncomingMessage): void {
    if (!this.tokenDigest) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1]!), this.tokenDigest)) {
      throw new HttpError(401, 'missing or wrong token (Authorization: Bearer <token>)');
    }
  }

  /** A POST from another site is refused, whatever it carries; the body is drained and ignored. */
  private async checkSameOrigin(req: IncomingMessage): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, 'POST with Content-Type: application/json');
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'cross-site request refused');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
      throw new HttpError(403, 'cross-origin request refused');
    }
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    }
  }

  /** SSE: a snapshot at once, then every second, and right after an eject or attach. */
  private async events(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${EVENT_INTERVAL_MS}\n\n`);
    this.streams.add(res);
    req.on('close', () => {
      this.streams.delete(res);
      if (this.streams.size === 0) {
        clearInterval(this.ticker);
        this.ticker = undefined;
      }
    });
    if (!this.ticker) {
      this.ticker = setInterval(() => void this.push(), EVENT_INTERVAL_MS);
      this.ticker.unref();
    }
    this.send(res, await this.snapshot());
  }

  private async snapshot(): Promise<AdminSnapshot> {
    return { time: Date.now(), exports: await this.api.status(), totals: this.api.totals() };
  }

  /** One status for every open stream. */
  private async push(): Promise<void> {
    if (this.streams.size === 0) return;
    try {
      const snap = await this.snapshot();
      for (const s of this.streams) this.send(s, snap);
    } catch (err) {
      this.log.warn('admin: status for the page failed', { err });
    }
  }

  private send(res: ServerResponse, snap: AdminSnapshot): void {
    if (!res.writableEnded) res.write(`event: status\ndata: ${JSON.stringify(snap)}\n\n`);
  }

  private fail(res: ServerResponse, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    let status = 500;
    if (err instanceof HttpError) status = err.status;
    else if (/is not exported/.test(message)) status = 404;
    // A plain Error is the server refusing (attach without its filesystem...); a TypeError and the like is a bug.
    else if (err instanceof Error && err.constructor === Error) status = 409;
    if (status === 409 || status === 500) this.log.warn('admin: request failed', { err: message });
    if (res.headersSent) {
      res.end();
      return;
    }
    const headers: Record<string, string> = {};
    if (status === 401) headers['www-authenticate'] = 'Bearer realm="nfs-node"';
    json(res, status, { error: message }, headers);
  }
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `malformed export path: ${s}`);
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
