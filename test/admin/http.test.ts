/** The admin HTTP API: status, eject and attach as the CLI does them, the event stream, and who may use it. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AdminHttpServer, isLoopback, tokenFromFile, type AdminApi, type AdminSnapshot } from '../../src/admin/http.js';
import type { ExportStatus } from '../../src/server/admin.js';
import type { EjectReport } from '../../src/server/lifecycle.js';
import { silentLogger } from '../../src/server/log.js';
import { mountExport, startAdminRig, type AdminRig } from './http-rig.js';

const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };

function exportUrl(rig: AdminRig, action: 'eject' | 'attach'): string {
  return `${rig.base}/api/exports/${encodeURIComponent(rig.exportPath)}/${action}`;
}

async function statusOf(rig: AdminRig, headers: Record<string, string> = {}): Promise<ExportStatus> {
  const res = await fetch(`${rig.base}/api/status`, { headers });
  assert.equal(res.status, 200);
  const list = (await res.json()) as ExportStatus[];
  const s = list.find((e) => e.path === rig.exportPath);
  assert.ok(s, 'the export is listed');
  return s;
}

/** A raw request, for headers fetch will not let a test set (Host). */
function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string> }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads Server-Sent Events from a fetch body, one parsed `data:` at a time. */
async function* events(body: ReadableStream<Uint8Array>): AsyncGenerator<AdminSnapshot> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const data = event
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data) yield JSON.parse(data) as AdminSnapshot;
    }
  }
}

describe('admin API on loopback', () => {
  let rig: AdminRig;
  before(async () => {
    rig = await startAdminRig();
  });
  after(() => rig.stop());

  test('serves the page, self-contained and with a strict content security policy', async () => {
    const res = await fetch(`${rig.base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await res.text();
    assert.match(html, /<title>nfs-node<\/title>/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'nothing is loaded from elsewhere');
  });

  test('status, as NfsServer.status() gives it, with a mounted client', async () => {
    const m = await mountExport(rig);
    try {
      const s = await statusOf(rig);
      assert.deepEqual(s, (await rig.server.status()).find((e) => e.path === rig.exportPath));
      assert.equal(s.state, 'attached');
      assert.deepEqual(
        s.clients.map((c) => c.host),
        ['127.0.0.1'],
      );
    } finally {
      await m.close();
    }
  });

  test('eject and attach by POST return what the CLI gets', async () => {
    const res = await fetch(exportUrl(rig, 'eject'), JSON_POST);
    assert.equal(res.status, 200);
    const report = (await res.json()) as EjectReport;
    assert.equal(report.export, rig.exportPath);
    assert.equal(report.ok, true);
    assert.deepEqual(report.holders, []);
    const ejected = await statusOf(rig);
    assert.equal(ejected.state, 'detached');
    assert.equal(ejected.unmountable, true);

    // The path may also be given unencoded.
    const again = await fetch(`${rig.base}/api/exports${rig.exportPath}/attach`, JSON_POST);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as ExportStatus).state, 'attached');
    assert.equal((await statusOf(rig)).state, 'attached');
  });

  test('unknown exports, wrong methods and paths are refused with their status', async () => {
    const missing = await fetch(`${rig.base}/api/exports/${encodeURIComponent('/not/exported')}/eject`, JSON_POST);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /not exported/);
    assert.equal((await fetch(exportUrl(rig, 'eject'))).status, 405);
    assert.equal((await fetch(`${rig.base}/api/nothing`)).status, 404);
    assert.equal((await fetch(`${rig.base}/api/exports/%E0%A4%A/eject`, JSON_POST)).status, 400);
    assert.equal((await statusOf(rig)).state, 'attached', 'nothing was ejected');
  });

  test('cross-site POSTs are refused: form content types, foreign Origin, Sec-Fetch-Site', async () => {
    const url = exportUrl(rig, 'eject');
    const refusals: Array<[Record<string, string>, number]> = [
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 415],
      [{ 'content-type': 'text/plain' }, 415],
      [{ 'content-type': 'application/json', origin: 'http://evil.example' }, 403],
      [{ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, 403],
    ];
    for (const [headers, status] of refusals) {
      const res = await fetch(url, { method: 'POST', headers, body: '{}' });
      assert.equal(res.status, status, JSON.stringify(headers));
    }
    assert.equal((await statusOf(rig)).state, 'attached', 'nothing was ejected');
  });

  test('a request naming a host that is not loopback is refused (DNS rebinding)', async () => {
    assert.equal(await rawRequest(`${rig.base}/api/status`, { headers: { host: 'evil.example' } }), 403);
    assert.equal(await rawRequest(`${rig.base}/`, { headers: { host: 'evil.example:80' } }), 403);
    assert.equal(await rawRequest(`${rig.base}/api/status`, { headers: { host: 'localhost' } }), 200);
  });

  test('the event stream pushes a snapshot at once and the new state after an eject', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${rig.base}/api/events`, { signal: ctl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    try {
      const stream = events(res.body!);
      const first = (await stream.next()).value as AdminSnapshot;
      assert.equal(first.exports.find((e) => e.path === rig.exportPath)?.state, 'attached');
      assert.equal(typeof first.totals.calls, 'number');
      assert.equal((await fetch(exportUrl(rig, 'eject'), JSON_POST)).status, 200);
      for (;;) {
        const next = await stream.next();
        assert.ok(!next.done, 'the stream ended before showing the eject');
        const s = next.value.exports.find((e) => e.path === rig.exportPath);
        if (s?.state === 'detached') {
          assert.equal(s.unmountable, true);
          break;
        }
      }
    } finally {
      ctl.abort();
      await rig.server.attach(rig.exportPath);
    }
  });
});

describe('admin API with a token', () => {
  const token = 'test-token-1234';
  let rig: AdminRig;
  before(async () => {
    rig = await startAdminRig({ token });
  });
  after(() => rig.stop());

  test('every API request and /metrics need the token; the static page does not', async () => {
    const bearer = { authorization: `Bearer ${token}` };
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: token }];
    for (const headers of attempts) {
      const res = await fetch(`${rig.base}/api/status`, { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal((await fetch(`${rig.base}/metrics`, { headers })).status, 401);
      assert.equal((await fetch(`${rig.base}/api/events`, { headers })).status, 401);
    }
    const post = await fetch(exportUrl(rig, 'eject'), JSON_POST);
    assert.equal(post.status, 401);
    assert.equal((await statusOf(rig, bearer)).state, 'attached', 'nothing was ejected without the token');
    assert.equal((await fetch(`${rig.base}/`)).status, 200);
    assert.equal((await fetch(`${rig.base}/metrics`, { headers: bearer })).status, 200);

    const ejected = await fetch(exportUrl(rig, 'eject'), { ...JSON_POST, headers: { ...JSON_POST.headers, ...bearer } });
    assert.equal(ejected.status, 200);
    assert.equal((await statusOf(rig, bearer)).state, 'detached');
    await rig.server.attach(rig.exportPath);
  });
});

describe('beyond loopback', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'admin-token-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('what counts as loopback: 127.0.0.0/8, ::1, localhost', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
      assert.equal(isLoopback(h), true, h);
    }
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'fe80::1', '128.0.0.1', 'example.com', '']) {
      assert.equal(isLoopback(h), false, h);
    }
  });

  test('an admin server bound beyond loopback without a token refuses to start', () => {
    const api = {} as AdminApi;
    assert.throws(() => new AdminHttpServer(api, { host: '0.0.0.0', port: 0 }, silentLogger), /token is required/);
    assert.throws(() => new AdminHttpServer(api, { host: '::', port: 0 }, silentLogger), /token is required/);
    assert.doesNotThrow(() => new AdminHttpServer(api, { host: '0.0.0.0', port: 0, token: 't' }, silentLogger));
  });

  test('the token file is created once, private, and then kept', async () => {
    const file = join(dir, 'admin-token');
    const token = await tokenFromFile(file);
    assert.match(token, /^[\w-]{32}$/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await tokenFromFile(file), token);
    assert.equal((await readFile(file, 'utf8')).trim(), token);
  });
});
