/** FSSTAT, FSINFO and PATHCONF end to end. */
import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { test } from 'node:test';
import { FSF3_CANSETTIME, FSF3_HOMOGENEOUS, FSF3_LINK, FSF3_SYMLINK, Ftype3 } from '../../src/proto/nfs3/constants.js';
import { forEachBackend } from './harness.js';

forEachBackend('FSSTAT/FSINFO/PATHCONF', (env, kind) => {
  test('FSINFO: 1 MiB transfers, a real time delta, the properties clients rely on, root attributes', async () => {
    const e = env();
    const res = await e.nfs.fsinfo({ fsroot: e.root });
    assert.equal(res.rtmax, 1 << 20);
    assert.equal(res.wtmax, 1 << 20);
    assert.ok(res.rtpref > 0 && res.rtpref <= res.rtmax);
    assert.ok(res.wtpref > 0 && res.wtpref <= res.wtmax);
    assert.ok(res.dtpref > 0);
    assert.ok(res.maxfilesize > 1n << 32n);
    assert.ok(res.timeDelta.seconds > 0 || res.timeDelta.nseconds > 0, 'time_delta is not zero');
    const needed = FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME;
    assert.equal(res.properties & needed, needed);
    assert.equal(res.objAttributes?.type, Ftype3.DIR);
    // Any handle of the export answers for the export.
    const f = await e.file(await e.fresh(), 'f');
    assert.equal((await e.nfs.fsinfo({ fsroot: f })).rtmax, res.rtmax);
  });

  test('FSSTAT: consistent totals; the local backend reports the filesystem of the export', async () => {
    const e = env();
    const res = await e.nfs.fsstat({ fsroot: e.root });
    assert.ok(res.tbytes >= res.fbytes && res.fbytes >= res.abytes, `${res.tbytes} ${res.fbytes} ${res.abytes}`);
    assert.ok(res.tfiles >= res.ffiles && res.ffiles >= res.afiles);
    assert.equal(res.objAttributes?.type, Ftype3.DIR);
    if (kind === 'local') {
      const s = await statfs(e.t.dir, { bigint: true });
      assert.equal(res.tbytes, s.blocks * s.bsize);
      assert.equal(res.tfiles, s.files);
    } else {
      assert.ok(res.tbytes > 0n);
    }
  });

  test('PATHCONF: POSIX names of up to 255 bytes, no truncation, case-sensitive', async () => {
    const e = env();
    const res = await e.nfs.pathconf({ object: e.root });
    assert.equal(res.nameMax, 255);
    assert.equal(res.noTrunc, true);
    assert.equal(res.caseInsensitive, false);
    assert.equal(res.casePreserving, true);
    assert.ok(res.linkmax >= 1);
    assert.equal(res.objAttributes?.type, Ftype3.DIR);
  });
});
