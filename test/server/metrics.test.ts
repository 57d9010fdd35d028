/** /metrics: the Prometheus text format, and counters that follow the traffic. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NfsClientError } from '../../src/client/nfs3.js';
import { NFS_PROGRAM, NFS_V3 } from '../../src/proto/nfs3/constants.js';
import { callRecord, RawTcp } from '../helpers/raw-rpc.js';
import { HOST, mountExport, parsePrometheus, scrape, startAdminRig, valueOf, writeAndRead, type AdminRig } from '../admin/http-rig.js';

const REQUESTS = 'nfs_node_requests_total';

describe('metrics', () => {
  let rig: AdminRig;
  before(async () => {
    rig = await startAdminRig();
  });
  after(() => rig.stop());

  test('the exposition parses, with a HELP and a TYPE for every family the server defines', async () => {
    const res = await fetch(`${rig.base}/metrics`);
    const { types, help, samples } = parsePrometheus(await res.text());
    const expected: Record<string, string> = {
      nfs_node_requests_total: 'counter',
      nfs_node_request_duration_seconds: 'histogram',
      nfs_node_data_bytes_total: 'counter',
      nfs_node_connections: 'gauge',
      nfs_node_export_open_descriptors: 'gauge',
      nfs_node_export_uncommitted_bytes: 'gauge',
      nfs_node_export_state: 'gauge',
      nfs_node_export_unmountable: 'gauge',
      nfs_node_ejects_total: 'counter',
      nfs_node_eject_duration_seconds: 'histogram',
      nfs_node_errors_total: 'counter',
      nfs_node_export_locks: 'gauge',
      nfs_node_export_locks_waiting: 'gauge',
      nfs_node_calls_in_flight: 'gauge',
      nfs_node_connections_waiting: 'gauge',
      nfs_node_call_waits_total: 'counter',
      nfs_node_udp_dropped_total: 'counter',
    };
    for (const [name, type] of Object.entries(expected)) {
      assert.equal(types.get(name), type, name);
      assert.ok(help.get(name), `HELP of ${name}`);
    }
    assert.equal(valueOf(samples, 'nfs_node_export_state', { export: rig.exportPath, state: 'attached' }), 1);
    assert.equal(valueOf(samples, 'nfs_node_export_state', { export: rig.exportPath, state: 'detached' }), 0);
    assert.equal(valueOf(samples, 'nfs_node_export_locks', { export: rig.exportPath }), 0);
    assert.equal(valueOf(samples, 'nfs_node_udp_dropped_total'), 0);
  });

  test('counters move with NFS traffic: calls by procedure and status, latency, bytes, connections', async () => {
    const before = await scrape(rig.base);
    const m = await mountExport(rig);
    try {
      const data = Buffer.alloc(3000, 'x');
      await writeAndRead(m, 'counted', data);
      await assert.rejects(m.nfs.lookup({ what: { dir: m.root, name: Buffer.from('missing') } }), NfsClientError);
      const after = await scrape(rig.base);
      const moved = (name: string, labels: Record<string, string>): number => valueOf(after, name, labels) - valueOf(before, name, labels);
      const nfs = (procedure: string, status: string) => moved(REQUESTS, { program: 'nfs', version: '3', procedure, status });
      assert.equal(moved(REQUESTS, { program: 'mountd', version: '3', procedure: 'MNT', status: 'MNT3_OK' }), 1);
      assert.equal(nfs('CREATE', 'NFS3_OK'), 1);
      assert.equal(nfs('WRITE', 'NFS3_OK'), 1);
      assert.equal(nfs('READ', 'NFS3_OK'), 1);
      assert.equal(nfs('LOOKUP', 'NFS3ERR_NOENT'), 1);
      assert.equal(moved('nfs_node_data_bytes_total', { direction: 'written' }), data.length);
      assert.equal(moved('nfs_node_data_bytes_total', { direction: 'read' }), data.length);
      assert.equal(moved('nfs_node_request_duration_seconds_count', { program: 'nfs', procedure: 'WRITE' }), 1);
      assert.equal(moved('nfs_node_request_duration_seconds_bucket', { program: 'nfs', procedure: 'WRITE', le: '+Inf' }), 1);
      // Buckets are cumulative: each at least the one below, the last the count.
      const lookups = after.filter((x) => x.name === 'nfs_node_request_duration_seconds_bucket' && x.labels['procedure'] === 'LOOKUP');
      const les = lookups.map((x) => (x.labels['le'] === '+Inf' ? Infinity : Number(x.labels['le'])));
      assert.deepEqual(les, [...les].sort((a, b) => a - b), 'in order of le');
      lookups.forEach((x, i) => assert.ok(i === 0 || x.value >= lookups[i - 1]!.value, `le ${x.labels['le']}`));
      assert.equal(lookups.at(-1)!.value, valueOf(after, 'nfs_node_request_duration_seconds_count', { program: 'nfs', procedure: 'LOOKUP' }));
      assert.ok(valueOf(after, 'nfs_node_request_duration_seconds_sum', { program: 'nfs', procedure: 'LOOKUP' }) > 0);
      assert.ok(valueOf(after, 'nfs_node_connections') >= 2, 'the MOUNT and NFS connections are counted');
    } finally {
      await m.close();
    }
  });

  test('RPC-level refusals are counted under their accept_stat, with bounded labels', async () => {
    const before = await scrape(rig.base);
    const raw = await RawTcp.connect(rig.port, HOST);
    try {
      for (const proc of [77, 78]) await raw.call(callRecord({ xid: proc, prog: NFS_PROGRAM, vers: NFS_V3, proc }));
      await raw.call(callRecord({ xid: 9, prog: 0x2000_0999, vers: 1, proc: 0 }));
    } finally {
      raw.close();
    }
    const after = await scrape(rig.base);
    const moved = (labels: Record<string, string>) => valueOf(after, REQUESTS, labels) - valueOf(before, REQUESTS, labels);
    assert.equal(moved({ program: 'nfs', version: 'unknown', procedure: 'unknown', status: 'PROC_UNAVAIL' }), 2);
    assert.equal(moved({ program: 'unknown', version: 'unknown', procedure: 'unknown', status: 'PROG_UNAVAIL' }), 1);
  });

  test('an eject is counted and timed', async () => {
    const before = await scrape(rig.base);
    const report = await rig.server.eject(rig.exportPath);
    assert.equal(report.ok, true);
    try {
      const after = await scrape(rig.base);
      assert.equal(valueOf(after, 'nfs_node_ejects_total', { result: 'ok' }) - valueOf(before, 'nfs_node_ejects_total', { result: 'ok' }), 1);
      assert.equal(valueOf(after, 'nfs_node_eject_duration_seconds_count') - valueOf(before, 'nfs_node_eject_duration_seconds_count'), 1);
      assert.equal(valueOf(after, 'nfs_node_export_state', { export: rig.exportPath, state: 'detached' }), 1);
      assert.equal(valueOf(after, 'nfs_node_export_unmountable', { export: rig.exportPath }), 1);
    } finally {
      await rig.server.attach(rig.exportPath);
    }
  });
});
