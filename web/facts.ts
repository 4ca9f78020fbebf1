/**
 * What a report says (body, attachments) lives in its workflow: the input it started with, then each
 * accepted revision (a `revise` signal the timeline records as `revised`). The read model keeps only the
 * current row, so the pages read these from the workflow's history. The input never changes and is kept.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { AttachmentRef, ReportInput, ReviseAction, TimelineEntry } from '../domain/lifecycle.js';

const MAX_CACHED = 500;

export interface ReportContent {
  input: ReportInput;
  body: string;
  attachments: AttachmentRef[];
}

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
    this.#remember(workflowId, input);
    return input;
  }

  /** The current text and attachments: the input's, changed by every revision the timeline accepted (as the workflow applies them). */
  async content(workflowId: string, timeline: readonly TimelineEntry[]): Promise<ReportContent | null> {
    const revised = timeline.filter((e) => e.type === 'revised' && e.evidence);
    if (revised.length === 0) {
      const input = await this.get(workflowId);
      return input ? { input, body: input.facts.body, attachments: input.facts.attachments } : null;
    }
    const history = await this.client.workflow.getHandle(workflowId).fetchHistory();
    const start = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!start) return null;
    const input = defaultPayloadConverter.fromPayload<ReportInput>(start);
    this.#remember(workflowId, input);
    let body = input.facts.body;
    let attachments = input.facts.attachments;
    for (const event of history.events ?? []) {
      const signal = event.workflowExecutionSignaledEventAttributes;
      const payload = signal?.signalName === 'revise' ? signal.input?.payloads?.[0] : undefined;
      if (!payload) continue;
      const action = defaultPayloadConverter.fromPayload<ReviseAction>(payload);
      const accepted = revised.some((e) => e.evidence?.via === action.evidence.via && e.evidence.ref === action.evidence.ref);
      if (!accepted) continue;
      if (action.body?.trim()) body = action.body.trim();
      if (action.attachments && action.attachments.length > 0) attachments = [...attachments, ...action.attachments.filter((a) => !attachments.some((b) => b.sha256 === a.sha256))];
    }
    return { input, body, attachments };
  }

  #remember(workflowId: string, input: ReportInput): void {
    if (this.#cache.has(workflowId)) return;
    if (this.#cache.size >= MAX_CACHED) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(workflowId, input);
  }
}
