/**
 * The control socket: how `nfs-node status|eject|attach` reach a running
 * server without restarting it. A Unix socket in the state directory (mode
 * 0600: only the server's own user may eject its storage), one JSON object
 * per line each way.
 */
import { chmod, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ControlHandler = (args: Record<string, unknown>) => Promise<unknown>;

interface Request {
  id: number;
  cmd: string;
  args?: Record<string, unknown>;
}

type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Requests are a few hundred bytes; anything this long is not a client of ours. */
const MAX_LINE = 64 * 1024;

function lines(socket: Socket, onLine: (line: string) => void): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_LINE && !buf.includes('\n')) {
      socket.destroy();
      return;
    }
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  });
}

export class ControlServer {
  private server: Server | undefined;

  constructor(
    readonly path: string,
    private readonly handlers: Readonly<Record<string, ControlHandler>>,
  ) {}

  async listen(): Promise<void> {
    await this.removeStaleSocket();
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(this.path, 0o600);
    server.unref();
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A socket file left by a server that died is removed; a live server's socket is not. */
  private async removeStaleSocket(): Promise<void> {
    try {
      await request(this.path, 'ping', {}, 1000);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code === 'ECONNREFUSED' || code === 'ENOTSOCK') {
        await unlink(this.path);
        return;
      }
      throw err;
    }
    throw new Error(`another server is already running with control socket ${this.path}`);
  }

  private serve(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    lines(socket, (line) => {
      let req: Request;
      try {
        req = JSON.parse(line) as Request;
      } catch {
        socket.end(JSON.stringify({ id: 0, ok: false, error: 'malformed request' }) + '\n');
        return;
      }
      void this.answer(req).then((res) => {
        if (!socket.destroyed) socket.write(JSON.stringify(res) + '\n');
      });
    });
  }

  private async answer(req: Request): Promise<Response> {
    if (req.cmd === 'ping') return { id: req.id, ok: true, result: 'pong' };
    const handler = Object.hasOwn(this.handlers, req.cmd) ? this.handlers[req.cmd] : undefined;
    if (!handler) return { id: req.id, ok: false, error: `unknown command ${JSON.stringify(req.cmd)}` };
    try {
      return { id: req.id, ok: true, result: await handler(req.args ?? {}) };
    } catch (err) {
      return { id: req.id, ok: false, error: (err as Error).message };
    }
  }
}

export class ControlError extends Error {}

/** One request to a running server's control socket. */
export function request(path: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ControlError(`no answer from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    socket.on('error', (err) => finish(() => reject(err)));
    socket.on('connect', () => socket.write(JSON.stringify({ id: 1, cmd, args }) + '\n'));
    lines(socket, (line) => {
      const res = JSON.parse(line) as Response;
      finish(() => (res.ok ? resolve(res.result) : reject(new ControlError(res.error))));
    });
    socket.on('end', () => finish(() => reject(new ControlError('control socket closed without an answer'))));
  });
}
