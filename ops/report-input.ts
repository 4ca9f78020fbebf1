/**
 * A report's input as its workflow started with it (facts, chain, plans): the first event of its history. The
 * input never changes (a run that continued as new, or started again for 投稿, keeps it), so callers may cache it.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ReportInput } from '../domain/lifecycle.js';

export async function readReportInput(client: Client, workflowId: string): Promise<ReportInput | null> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<ReportInput>(payload) : null;
}
