/**
 * What a report says: its facts (department, submitter) are the workflow's input, read once from its
 * history and cached (the input never changes; a run that continued as new starts with the same input).
 * Its current text and attachments come with the `status` query; a long text is an excerpt there, and
 * the page loads the whole text from the store by its reference.
 */
import type { Client } from '@temporalio/client';
import type { AttachmentRef, ReportInput, ReportStatusView } from '../domain/lifecycle.js';
import { wholeText } from '../storage/texts.js';
import type { StoreConfig } from '../storage/store.js';
import { readReportInput } from '../ops/report-input.js';

const MAX_CACHED = 500;
/** A page shows a report's text up to this many characters. */
export const PAGE_BODY_CHARS = 200_000;

export interface ReportContent {
  input: ReportInput;
  body: string;
  attachments: AttachmentRef[];
}

export class ReportFactsCache {
  readonly #cache = new Map<string, ReportInput>();
  constructor(
    private readonly client: Client,
    private readonly store: StoreConfig,
  ) {}

  async get(workflowId: string): Promise<ReportInput | null> {
    const hit = this.#cache.get(workflowId);
    if (hit) return hit;
    const input = await readReportInput(this.client, workflowId);
    if (!input) return null;
    this.#remember(workflowId, input);
    return input;
  }

  /** The current text (whole, from the store when long) and attachments, as the `status` query told them. */
  async content(workflowId: string, view: Pick<ReportStatusView, 'body' | 'bodyRef' | 'attachments'>): Promise<ReportContent | null> {
    const input = await this.get(workflowId);
    if (!input) return null;
    return { input, body: await wholeText(this.store, { text: view.body, ref: view.bodyRef }, PAGE_BODY_CHARS), attachments: view.attachments };
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
