// The stall watch's checks read the heartbeats from the database; under load one read can outlast the next tick.
// A check begun before the stall threshold that finishes after a later one must not undo its warning: the office
// would see "recovered" and then a second warning while nothing moved (a flake of worker-liveness.test.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '../../db/index.js';
import { WorkerBeats, type WorkerBeat } from '../../db/worker-beats.js';
import { StallWatch } from '../../worker/liveness.js';

let database: Database;
afterAll(async () => database?.close());

it('a slow check finishing after a newer one logs no false recovery', async () => {
  database = await openDatabase({ file: join(mkdtempSync(join(tmpdir(), 'baosong-stall-')), 'b.db') });
  await migrateToLatest(database);
  let clock = 1_000_000;
  const beats = new WorkerBeats(database);
  await beats.write({ workerId: 'w1', beatAt: clock, startedAt: clock - 5_000, lastActivityAt: clock - 5_000, activitiesCompleted: 3, status: { runState: 'RUNNING', workflowPollerState: 'POLLING', activityPollerState: 'POLLING', hasOutstandingWorkflowPoll: true, hasOutstandingActivityPoll: true, numInFlightWorkflowActivations: 0, numInFlightActivities: 0 } });
  // The first read is held back until the second has answered.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let reads = 0;
  const slow = Object.assign(Object.create(beats) as WorkerBeats, {
    since: async (ms: number): Promise<WorkerBeat[]> => {
      const first = reads++ === 0;
      const rows = await beats.since(ms);
      if (first) await held;
      return rows;
    },
  });
  const logged: string[] = [];
  const watch = new StallWatch({ beats: slow, stallMs: 1_000, silentMs: 60_000, now: () => clock, logger: { info: () => logged.push('info'), warn: () => logged.push('warn') } });
  watch.noteWork(clock);
  clock += 500; // before the threshold
  const older = watch.check();
  clock += 1_000; // past it
  expect(await watch.check()).toMatchObject({ state: 'stalled', failing: true });
  release();
  await older;
  expect(watch.view()).toMatchObject({ state: 'stalled', failing: true });
  expect(logged).toEqual(['warn']);
});
