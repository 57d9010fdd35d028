import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coveringMount, parseMountinfo } from '../../src/server/mountinfo.js';

const SAMPLE = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '40 22 0:35 / /tmp rw shared:2 - tmpfs tmpfs rw',
  '51 40 7:0 / /tmp/my\\040disk rw shared:3 - ext4 /dev/loop0 rw',
  '57 51 7:1 / /tmp/my\\040disk rw shared:4 - ext4 /dev/loop1 rw',
  '',
].join('\n');

test('mountinfo: escaped mount points, the deepest mount covers a path, the last of a stack wins', () => {
  const mounts = parseMountinfo(SAMPLE);
  assert.deepEqual(mounts.map((m) => m.point), ['/', '/tmp', '/tmp/my disk', '/tmp/my disk']);
  assert.equal(coveringMount(mounts, '/tmp/my disk/sub')?.id, 57);
  assert.equal(coveringMount(mounts, '/tmp/my disk')?.id, 57);
  assert.equal(coveringMount(mounts, '/tmp/my diskette')?.id, 40);
  assert.equal(coveringMount(mounts, '/etc')?.id, 22);
});
