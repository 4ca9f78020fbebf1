/**
 * Workers' heartbeats (migration 0007): each worker overwrites its row every few seconds; whoever serves
 * /healthz reads the freshest rows. One statement each way, on both dialects.
 */
import type { Database } from './connect.js';

export interface WorkerBeat {
  workerId: string;
  beatAt: number;
  startedAt: number;
  /** When it last finished an activity (every step of a report runs one), or null: none yet. */
  lastActivityAt: number | null;
  activitiesCompleted: number;
  status: {
    runState: string;
    workflowPollerState: string;
    activityPollerState: string;
    hasOutstandingWorkflowPoll: boolean;
    hasOutstandingActivityPoll: boolean;
    numInFlightWorkflowActivations: number;
    numInFlightActivities: number;
  };
}

export class WorkerBeats {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  async write(beat: WorkerBeat): Promise<void> {
    const row = {
      worker_id: beat.workerId,
      beat_at_ms: beat.beatAt,
      started_at_ms: beat.startedAt,
      last_activity_ms: beat.lastActivityAt,
      activities_completed: beat.activitiesCompleted,
      status: JSON.stringify(beat.status),
    };
    await this.#database.db
      .insertInto('worker_beats')
      .values(row)
      .onConflict((oc) => oc.column('worker_id').doUpdateSet({ beat_at_ms: row.beat_at_ms, started_at_ms: row.started_at_ms, last_activity_ms: row.last_activity_ms, activities_completed: row.activities_completed, status: row.status }))
      .execute();
  }

  /** Workers that wrote since `since` (epoch ms), freshest first. */
  async since(since: number): Promise<WorkerBeat[]> {
    const rows = await this.#database.db.selectFrom('worker_beats').selectAll().where('beat_at_ms', '>=', since).orderBy('beat_at_ms', 'desc').execute();
    return rows.map((r) => ({
      workerId: r.worker_id,
      beatAt: Number(r.beat_at_ms),
      startedAt: Number(r.started_at_ms),
      lastActivityAt: r.last_activity_ms === null ? null : Number(r.last_activity_ms),
      activitiesCompleted: Number(r.activities_completed),
      status: JSON.parse(r.status) as WorkerBeat['status'],
    }));
  }

  /** Rows of workers gone for good (older than `before`): deleted, so the table stays the size of the fleet. */
  async forget(before: number): Promise<void> {
    await this.#database.db.deleteFrom('worker_beats').where('beat_at_ms', '<', before).execute();
  }
}
