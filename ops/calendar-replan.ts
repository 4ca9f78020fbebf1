/**
 * When the school's calendar changes — the office adds the State Council's schedule for a year that was
 * provisional (calendar.statutory), or an extra holiday — reports already in review were planned on the old
 * one. Each is sent the `calendarChanged` signal and plans its round again through the same activity (never
 * by rewriting its history); a report whose due time did not move does nothing.
 *
 * A worker does this by itself when it starts with a calendar other than the one the last worker started with
 * (a fingerprint in <dataDir>/calendar.fingerprint); `baosong calendar replan` does it on demand.
 */
import { inSchool } from '../domain/school-ids.js';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import type { ReadModel } from '../db/read-model.js';
import { LAW_YEARS, STATUTORY_YEARS } from '../domain/calendar.js';
import { expectedCalendarChangedSignal, expectedWorkflowId } from '../workflows/expected.js';
import { calendarChangedSignal } from '../workflows/report.js';

export interface ReplanResult {
  /** Reports in review that were told. */
  signalled: number;
  /** Reports that had closed meanwhile. */
  closed: number;
  /** Expected reports still waiting (漏报 watch) that were told. */
  expected: number;
}

/** What the working days depend on: the school's overrides and schedules, and which years the built-in tables have. */
export function calendarFingerprint(config: Config): string {
  const facts = { calendar: config.calendar, statutoryYears: STATUTORY_YEARS, lawYears: [LAW_YEARS[0], LAW_YEARS.at(-1)] };
  return createHash('sha256').update(JSON.stringify(facts)).digest('hex').slice(0, 32);
}

/** Tells every report in review, and every expected report still waiting, to plan again on the current calendar. */
export async function replanOpenReports(deps: { client: Client; readModel: ReadModel }): Promise<ReplanResult> {
  const result: ReplanResult = { signalled: 0, closed: 0, expected: 0 };
  for (const report of await deps.readModel.listReports({ status: 'in_review' })) {
    try {
      await deps.client.workflow.getHandle(report.workflowId).signal(calendarChangedSignal);
      result.signalled += 1;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      result.closed += 1; // closed since the read model was written: nothing to plan
    }
  }
  // An expected report's deadline is planned on the calendar too (漏报 at the wrong time otherwise).
  for (const expected of await deps.readModel.listExpected({ status: 'waiting' })) {
    try {
      await deps.client.workflow.getHandle(inSchool(deps.readModel.database.school, expectedWorkflowId(expected.id))).signal(expectedCalendarChangedSignal);
      result.expected += 1;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return result;
}

/** At a worker's start: re-plan open reports once if the calendar is not the one the last start saw. */
export async function replanIfCalendarChanged(deps: { client: Client; readModel: ReadModel; config: Config }): Promise<ReplanResult | null> {
  const file = join(deps.config.dataDir, 'calendar.fingerprint');
  const now = calendarFingerprint(deps.config);
  const before = await readFile(file, 'utf8').then((t) => t.trim(), () => null);
  if (before === now) return null;
  // The first start with this file: it may be the first with a new year's schedule too, and a re-plan that
  // moves nothing costs one activity per open report.
  const result = await replanOpenReports(deps);
  await mkdir(deps.config.dataDir, { recursive: true });
  await writeFile(file, `${now}\n`);
  return result;
}
