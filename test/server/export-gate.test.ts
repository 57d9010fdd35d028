import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { NfsError } from '../../src/backend/errors.js';
import { NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { ExportGate } from '../../src/server/export-gate.js';

const root = { cred: { uid: 0, gid: 0, gids: [] } };

/** A backend whose getattr waits until the test lets it finish. */
function slowBackend(): { backend: Backend; started: number; finishAll(): void } {
  const pending: Array<() => void> = [];
  const state = {
    started: 0,
    finishAll: () => pending.splice(0).forEach((f) => f()),
    backend: {
      getattr: () => {
        state.started++;
        return new Promise((resolve) => pending.push(() => resolve({} as never)));
      },
      flush: async () => {},
      release: async () => {},
      holds: () => ({ openDescriptors: 0, uncommittedBytes: 0, holders: [] }),
      close: async () => {},
    } as unknown as Backend,
  };
  return state;
}

describe('ExportGate', () => {
  test('bounds the calls in flight and queues the rest in order', async () => {
    const s = slowBackend();
    const gate = new ExportGate(s.backend, { maxConcurrent: 2 });
    const calls = [1, 2, 3, 4].map(() => gate.gated.getattr(Buffer.alloc(0), root));
    await new Promise((r) => setImmediate(r));
    assert.equal(s.started, 2);
    assert.equal(gate.inFlight, 4);
    s.finishAll();
    await new Promise((r) => setImmediate(r));
    assert.equal(s.started, 4);
    s.finishAll();
    await Promise.all(calls);
    assert.equal(gate.inFlight, 0);
  });

  test('a closed gate refuses new calls with the given status and drains the ones inside', async () => {
    const s = slowBackend();
    const gate = new ExportGate(s.backend, { maxConcurrent: 1 });
    const inside = gate.gated.getattr(Buffer.alloc(0), root);
    const queued = gate.gated.getattr(Buffer.alloc(0), root);
    await new Promise((r) => setImmediate(r));
    gate.close(NfsStat3.JUKEBOX);
    await assert.rejects(gate.gated.getattr(Buffer.alloc(0), root), (e: unknown) => (e as NfsError).status === NfsStat3.JUKEBOX);
    const drained = gate.drain(5000);
    s.finishAll();
    await inside;
    await assert.rejects(queued, (e: unknown) => (e as NfsError).status === NfsStat3.JUKEBOX);
    assert.equal(await drained, true);
    assert.equal(s.started, 1, 'the queued call never reached the backend');
    gate.open();
    const again = gate.gated.getattr(Buffer.alloc(0), root);
    await new Promise((r) => setImmediate(r));
    s.finishAll();
    await again;
  });

  test('drain gives up after its timeout when a call is stuck', async () => {
    const s = slowBackend();
    const gate = new ExportGate(s.backend, { maxConcurrent: 1 });
    const stuck = gate.gated.getattr(Buffer.alloc(0), root);
    gate.close(NfsStat3.STALE);
    assert.equal(await gate.drain(20), false);
    s.finishAll();
    await stuck;
  });
});
