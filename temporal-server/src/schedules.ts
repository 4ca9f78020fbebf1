// Schedules: CreateSchedule, DescribeSchedule, UpdateSchedule, PatchSchedule (trigger, backfill, pause),
// DeleteSchedule, ListSchedules and ListScheduleMatchingTimes. A schedule fires on the engine's virtual
// clock, so time skipping reaches its next action like any timer. Each action starts the schedule's
// workflow with the id `<workflowId>-<nominal time, RFC 3339 UTC>`, as Temporal does.
import { randomUUID } from 'node:crypto';
import type { TimerHandle } from './clock.js';
import { Engine, type Run } from './engine.js';
import { compileSpec, matchingTimes, nextMatch, specMessage, type CompiledSpec } from './calendar.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from './errors.js';
import { Status, msToTimestamp, num, timestampToMs, type Obj, type T } from './proto.js';
import { parseQuery } from './visibility.js';
import type { Handlers } from './service.js';

const Overlap = {
  UNSPECIFIED: 0,
  SKIP: 1,
  BUFFER_ONE: 2,
  BUFFER_ALL: 3,
  CANCEL_OTHER: 4,
  TERMINATE_OTHER: 5,
  ALLOW_ALL: 6,
};

const RECENT_ACTIONS = 10;
const FUTURE_ACTIONS = 10;
const DEFAULT_CATCHUP_WINDOW_S = 365 * 24 * 3600;

interface Action {
  scheduleTime: number;
  actualTime: number;
  run: Run;
}

interface Schedule {
  id: string;
  spec: CompiledSpec;
  rawSpec: Obj;
  action: T.api.workflow.v1.INewWorkflowExecutionInfo;
  policies: Obj;
  overlap: number;
  notes: string;
  paused: boolean;
  limitedActions: boolean;
  remainingActions: number;
  memo: Obj | null;
  searchAttributes: Obj | null;
  createTime: number;
  updateTime: number;
  actionCount: number;
  overlapSkipped: number;
  bufferDropped: number;
  recent: Action[];
  running: Run[];
  buffered: { nominal: number; overlap: number }[];
  timer: TimerHandle | undefined;
  conflict: number;
}

export class Schedules {
  private readonly all = new Map<string, Schedule>();

  constructor(private readonly engine: Engine) {}

  private stamp(fields: Record<string, Obj>): Record<string, Obj> {
    return this.engine.searchAttributeTypes.stamp(fields);
  }

  private stampAll(attributes: Obj | null | undefined): Obj | null {
    const fields = (attributes as { indexedFields?: Record<string, Obj> } | null | undefined)?.indexedFields;
    return fields ? { ...attributes, indexedFields: this.stamp(fields) } : (attributes ?? null);
  }

  get(id: string | null | undefined): Schedule {
    const s = id ? this.all.get(id) : undefined;
    if (!s) throw notFound(`schedule not found: ${id ?? ''}`);
    return s;
  }

  create(req: T.api.workflowservice.v1.ICreateScheduleRequest): Obj {
    const id = req.scheduleId;
    if (!id) throw invalidArgument('ScheduleId is not set on request.');
    if (this.all.has(id)) throw alreadyExists(`schedule ${id} is already registered`);
    const now = this.engine.clock.now();
    const s: Schedule = {
      id,
      ...this.definition(req.schedule),
      memo: (req.memo as Obj | null) ?? null,
      searchAttributes: this.stampAll(req.searchAttributes as Obj | null),
      createTime: now,
      updateTime: now,
      actionCount: 0,
      overlapSkipped: 0,
      bufferDropped: 0,
      recent: [],
      running: [],
      buffered: [],
      timer: undefined,
      conflict: 1,
    };
    this.all.set(id, s);
    if (req.initialPatch) this.patch(s, req.initialPatch);
    this.arm(s);
    return { conflictToken: token(s) };
  }

  private definition(schedule: T.api.schedule.v1.ISchedule | null | undefined) {
    const given = schedule?.action?.startWorkflow;
    // As for a workflow's start: each search attribute value stored with its registered type, so Describe shows
    // untyped and typed ones alike as typed search attributes.
    const action = given?.searchAttributes?.indexedFields ? { ...given, searchAttributes: { indexedFields: this.stamp(given.searchAttributes.indexedFields as Record<string, Obj>) } } : given;
    if (!action?.workflowId || !action.workflowType?.name || !action.taskQueue?.name)
      throw invalidArgument('schedule action must start a workflow with a workflow id, type and task queue');
    const spec = compileSpec(schedule?.spec as Record<string, unknown> | null | undefined);
    const policies = (schedule?.policies as Obj | null | undefined) ?? {};
    const overlap = Number(policies.overlapPolicy ?? 0) || Overlap.SKIP;
    const state = schedule?.state ?? {};
    return {
      spec,
      rawSpec: specMessage(spec),
      action,
      policies: { ...policies, overlapPolicy: overlap, catchupWindow: policies.catchupWindow ?? { seconds: DEFAULT_CATCHUP_WINDOW_S } },
      overlap,
      notes: state.notes ?? '',
      paused: !!state.paused,
      limitedActions: !!state.limitedActions,
      remainingActions: num(state.remainingActions),
    };
  }

  update(req: T.api.workflowservice.v1.IUpdateScheduleRequest): Obj {
    const s = this.get(req.scheduleId);
    checkToken(s, req.conflictToken);
    Object.assign(s, this.definition(req.schedule));
    if (req.memo) s.memo = req.memo as Obj;
    if (req.searchAttributes) s.searchAttributes = this.stampAll(req.searchAttributes as Obj);
    s.updateTime = this.engine.clock.now();
    s.conflict++;
    this.arm(s);
    return {};
  }

  patch(s: Schedule, p: T.api.schedule.v1.ISchedulePatch): void {
    if (p.pause) {
      s.paused = true;
      s.notes = p.pause;
    }
    if (p.unpause) {
      s.paused = false;
      s.notes = p.unpause;
    }
    const now = this.engine.clock.now();
    if (p.triggerImmediately) {
      const at = p.triggerImmediately.scheduledTime ? timestampToMs(p.triggerImmediately.scheduledTime) : now;
      this.act(s, at, Number(p.triggerImmediately.overlapPolicy ?? 0) || s.overlap, true);
    }
    for (const b of p.backfillRequest ?? []) {
      const from = timestampToMs(b.startTime);
      const to = timestampToMs(b.endTime);
      for (const at of matchingTimes(s.spec, from - 1, 10_000, to)) this.act(s, at, Number(b.overlapPolicy ?? 0) || s.overlap, true);
    }
    s.updateTime = now;
    s.conflict++;
    this.arm(s);
  }

  delete(id: string | null | undefined): void {
    const s = this.get(id);
    this.engine.clock.cancel(s.timer);
    this.all.delete(s.id);
  }

  /** (Re)schedule the next action on the virtual clock. */
  private arm(s: Schedule): void {
    this.engine.clock.cancel(s.timer);
    s.timer = undefined;
    if (!this.all.has(s.id) || (s.limitedActions && s.remainingActions <= 0)) return;
    const now = this.engine.clock.now();
    const next = nextMatch(s.spec, now);
    if (next === null) return;
    s.timer = this.engine.clock.schedule(next - now, () => {
      s.timer = undefined;
      if (!s.paused) this.act(s, next, s.overlap, false);
      this.arm(s);
    });
  }

  /** Take the schedule's action for one nominal time, as its overlap policy says. */
  private act(s: Schedule, nominal: number, overlap: number, manual: boolean): void {
    if (!manual && s.limitedActions && s.remainingActions <= 0) return;
    s.running = s.running.filter((r) => r.running);
    if (s.running.length > 0) {
      switch (overlap) {
        case Overlap.SKIP:
          s.overlapSkipped++;
          return;
        case Overlap.BUFFER_ONE:
          if (s.buffered.length > 0) {
            s.bufferDropped++;
            return;
          }
          this.buffer(s, nominal, overlap);
          return;
        case Overlap.BUFFER_ALL:
          this.buffer(s, nominal, overlap);
          return;
        case Overlap.CANCEL_OTHER:
          for (const r of s.running) this.engine.requestCancel(r, 'cancelled by its schedule (overlap policy)', 'schedule');
          break;
        case Overlap.TERMINATE_OTHER:
          for (const r of s.running) this.engine.terminate(r, 'terminated by its schedule (overlap policy)', undefined, 'schedule');
          s.running = [];
          break;
        default: // ALLOW_ALL
          break;
      }
    }
    this.start(s, nominal);
  }

  private buffer(s: Schedule, nominal: number, overlap: number): void {
    s.buffered.push({ nominal, overlap });
    const first = s.running[0]!;
    const onChange = () => {
      if (first.running) return;
      first.waiters.delete(onChange);
      const next = s.buffered.shift();
      if (next && this.all.has(s.id)) this.act(s, next.nominal, next.overlap, true);
    };
    first.waiters.add(onChange);
  }

  private start(s: Schedule, nominal: number): void {
    const a = s.action;
    const workflowId = `${a.workflowId}-${new Date(Math.floor(nominal / 1000) * 1000).toISOString().replace('.000Z', 'Z')}`;
    const previous = this.engine.latestRun(workflowId);
    if (previous?.running) {
      s.overlapSkipped++;
      return;
    }
    const run = this.engine.startWorkflow({
      namespace: 'default',
      workflowId,
      workflowType: a.workflowType!.name!,
      taskQueue: a.taskQueue!.name!,
      input: a.input,
      header: (a.header as Obj | null) ?? null,
      memo: (a.memo as Obj | null) ?? null,
      searchAttributes: (a.searchAttributes as { indexedFields?: Record<string, Obj> } | null) ?? null,
      workflowTaskTimeoutMs: Engine.workflowTaskTimeout(a.workflowTaskTimeout as Obj | null),
      workflowRunTimeout: (a.workflowRunTimeout as Obj | null) ?? null,
      workflowExecutionTimeout: (a.workflowExecutionTimeout as Obj | null) ?? null,
      identity: `schedule ${s.id}`,
      retryPolicy: a.retryPolicy ?? null,
      requestId: randomUUID(),
    });
    s.actionCount++;
    if (s.limitedActions) s.remainingActions--;
    s.running.push(run);
    s.recent.push({ scheduleTime: nominal, actualTime: this.engine.clock.now(), run });
    if (s.recent.length > RECENT_ACTIONS) s.recent.shift();
  }

  describe(id: string | null | undefined): Obj {
    const s = this.get(id);
    return {
      schedule: this.scheduleMessage(s),
      info: this.info(s),
      memo: s.memo,
      searchAttributes: s.searchAttributes,
      conflictToken: token(s),
    };
  }

  private scheduleMessage(s: Schedule): Obj {
    return {
      spec: s.rawSpec,
      action: { startWorkflow: s.action },
      policies: s.policies,
      state: { notes: s.notes, paused: s.paused, limitedActions: s.limitedActions, remainingActions: s.remainingActions },
    };
  }

  private recentActions(s: Schedule): Obj[] {
    return s.recent.map((a) => ({
      scheduleTime: msToTimestamp(a.scheduleTime),
      actualTime: msToTimestamp(a.actualTime),
      startWorkflowResult: a.run.execution(),
      startWorkflowStatus: a.run.status,
    }));
  }

  private futureActionTimes(s: Schedule): Obj[] {
    if (s.paused || (s.limitedActions && s.remainingActions <= 0)) return [];
    const count = s.limitedActions ? Math.min(FUTURE_ACTIONS, s.remainingActions) : FUTURE_ACTIONS;
    return matchingTimes(s.spec, this.engine.clock.now(), count).map(msToTimestamp);
  }

  private info(s: Schedule): Obj {
    s.running = s.running.filter((r) => r.running);
    return {
      actionCount: s.actionCount,
      missedCatchupWindow: 0,
      overlapSkipped: s.overlapSkipped,
      bufferDropped: s.bufferDropped,
      bufferSize: s.buffered.length,
      runningWorkflows: s.running.map((r) => r.execution()),
      recentActions: this.recentActions(s),
      futureActionTimes: this.futureActionTimes(s),
      createTime: msToTimestamp(s.createTime),
      updateTime: msToTimestamp(s.updateTime),
    };
  }

  /** ListSchedules: a visibility query over schedule ids and search attributes, in pages. */
  list(req: T.api.workflowservice.v1.IListSchedulesRequest): Obj {
    const { filter } = parseQuery(req.query);
    const matching = [...this.all.values()].filter((s) =>
      filter({
        workflowId: s.id,
        workflowType: s.action.workflowType?.name ?? '',
        status: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
        searchAttributes: (s.searchAttributes as { indexedFields?: Record<string, Obj> } | null)?.indexedFields ?? {},
      }),
    );
    const offset = req.nextPageToken && req.nextPageToken.length > 0 ? Number(Buffer.from(req.nextPageToken).toString('utf8')) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('invalid next page token');
    const size = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : 1000;
    return {
      schedules: matching.slice(offset, offset + size).map((s) => ({
        scheduleId: s.id,
        memo: s.memo,
        searchAttributes: s.searchAttributes,
        info: {
          spec: s.rawSpec,
          workflowType: s.action.workflowType,
          notes: s.notes,
          paused: s.paused,
          recentActions: this.recentActions(s),
          futureActionTimes: this.futureActionTimes(s),
        },
      })),
      nextPageToken: offset + size < matching.length ? Buffer.from(String(offset + size)) : Buffer.alloc(0),
    };
  }

  matching(req: T.api.workflowservice.v1.IListScheduleMatchingTimesRequest): Obj {
    const s = this.get(req.scheduleId);
    const from = timestampToMs(req.startTime);
    const to = timestampToMs(req.endTime);
    return { startTime: matchingTimes(s.spec, from - 1, 1_000, to).map(msToTimestamp) };
  }
}

function token(s: Schedule): Buffer {
  return Buffer.from(String(s.conflict));
}

function checkToken(s: Schedule, given: Uint8Array | null | undefined): void {
  if (given && given.length > 0 && Buffer.from(given).toString() !== String(s.conflict))
    throw failedPrecondition(`schedule ${s.id} was changed meanwhile (conflict token mismatch)`);
}

export function scheduleHandlers(engine: Engine): Handlers {
  const schedules = new Schedules(engine);
  return {
    CreateSchedule: (req: T.api.workflowservice.v1.ICreateScheduleRequest) => Promise.resolve(schedules.create(req)),
    DescribeSchedule: (req: T.api.workflowservice.v1.IDescribeScheduleRequest) => Promise.resolve(schedules.describe(req.scheduleId)),
    UpdateSchedule: (req: T.api.workflowservice.v1.IUpdateScheduleRequest) => Promise.resolve(schedules.update(req)),
    PatchSchedule: (req: T.api.workflowservice.v1.IPatchScheduleRequest) => {
      schedules.patch(schedules.get(req.scheduleId), req.patch ?? {});
      return Promise.resolve({});
    },
    DeleteSchedule: (req: T.api.workflowservice.v1.IDeleteScheduleRequest) => {
      schedules.delete(req.scheduleId);
      return Promise.resolve({});
    },
    ListSchedules: (req: T.api.workflowservice.v1.IListSchedulesRequest) => Promise.resolve(schedules.list(req)),
    ListScheduleMatchingTimes: (req: T.api.workflowservice.v1.IListScheduleMatchingTimesRequest) => Promise.resolve(schedules.matching(req)),
  };
}
