/**
 * What a report was submitted with (title, body, department, …) lives in its workflow's input; the
 * read model keeps only the current row. The pages read the input from the workflow's history once
 * and keep it (it never changes).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ReportInput } from '../domain/lifecycle.js';

const MAX_CACHED = 500;

export class ReportFactsCache {
  readonly #cache = new Map<string, ReportInput>();
  constructor(private readonly client: Client) {}

  async get(workflowId: string): Promise<ReportInput | null> {
    const hit = this.#cache.get(workflowId);
    if (hit) return hit;
    const history = await this.client.workflow.getHandle(workflowId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) return null;
    const input = defaultPayloadConverter.fromPayload<ReportInput>(payload);
    if (this.#cache.size >= MAX_CACHED) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(workflowId, input);
    return input;
  }
}
