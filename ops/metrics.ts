/**
 * baosong's Prometheus metrics (prom-client). One registry per process; each part counts what happens
 * in it, so every process exposes its own /metrics (the web process on its web port, the others on
 * BAOSONG_METRICS_PORT) and Prometheus sums them:
 *
 * | where         | metrics |
 * |---------------|---------|
 * | web, intake   | baosong_reports_received_total, baosong_reports_started_total {origin, category, urgency} |
 * | worker        | baosong_reports_published_total, _returned_total, _expired_total {category, urgency} (counted once per report: the read model's event is new) |
 * | intake        | baosong_intake_state {state}, baosong_intake_mails_total {disposition}, baosong_intake_latency_seconds (notice → handled), baosong_intake_quarantined_total, baosong_imap_reconnects_total |
 * | worker, web   | baosong_mails_sent_total, baosong_mails_failed_total, baosong_mails_retried_total {kind}, baosong_smtp_reconnects_total |
 * | web           | baosong_web_request_duration_seconds {method, route, status} |
 * | intake, web   | baosong_worker_last_activity_timestamp_seconds, baosong_worker_polls_outstanding, baosong_worker_stalled (from the workers’ heartbeats) |
 * | any (from the database, the same in every process: aggregate with max) | baosong_reviews_pending, baosong_reviews_overdue {step} |
 * | worker        | the Temporal SDK's own metrics (temporal_*), when BAOSONG_TEMPORAL_METRICS names the address its exporter binds to |
 *
 * plus Node's process metrics (process_*, nodejs_*).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReadModel } from '../db/read-model.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const registers = [registry];
const reportLabels = ['category', 'urgency'] as const;

/** The read model the database-derived gauges read (the first one a process observes). */
let source: ReadModel | null = null;

export const metrics = {
  reportsReceived: new Counter({ name: 'baosong_reports_received_total', help: 'Report submissions received (mail or form), duplicates included', labelNames: ['origin', ...reportLabels], registers }),
  reportsStarted: new Counter({ name: 'baosong_reports_started_total', help: 'Report workflows started (a duplicate submission starts none)', labelNames: ['origin', ...reportLabels], registers }),
  reportsPublished: new Counter({ name: 'baosong_reports_published_total', help: 'Reports published', labelNames: reportLabels, registers }),
  reportsReturned: new Counter({ name: 'baosong_reports_returned_total', help: 'Reports sent back to their liaison for revision', labelNames: reportLabels, registers }),
  reportsExpired: new Counter({ name: 'baosong_reports_expired_total', help: 'Reports that expired without a decision', labelNames: reportLabels, registers }),

  intakeState: new Gauge({ name: 'baosong_intake_state', help: 'The mail intake state (1 for the current one)', labelNames: ['state'], registers }),
  intakeMails: new Counter({ name: 'baosong_intake_mails_total', help: 'Mails the intake handled, by disposition (processed or quarantined)', labelNames: ['disposition'], registers }),
  intakeLatency: new Histogram({ name: 'baosong_intake_latency_seconds', help: 'From the mail server’s notice to the mail moved out of the inbox', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers }),
  intakeQuarantined: new Counter({ name: 'baosong_intake_quarantined_total', help: 'Mails put in the quarantine folder', registers }),
  imapReconnects: new Counter({ name: 'baosong_imap_reconnects_total', help: 'Times the intake got its IMAP connection back after losing it', registers }),

  mailsSent: new Counter({ name: 'baosong_mails_sent_total', help: 'Mails sent (or written to the outbox), by kind', labelNames: ['kind'], registers }),
  mailsFailed: new Counter({ name: 'baosong_mails_failed_total', help: 'Attempts to send a mail that failed (Temporal retries them), by kind', labelNames: ['kind'], registers }),
  mailsRetried: new Counter({ name: 'baosong_mails_retried_total', help: 'Attempts to send a mail that had failed before, by kind', labelNames: ['kind'], registers }),
  smtpReconnects: new Counter({ name: 'baosong_smtp_reconnects_total', help: 'Times sending through SMTP worked again after a failure', registers }),

  workerLastActivity: new Gauge({ name: 'baosong_worker_last_activity_timestamp_seconds', help: 'When a worker last finished an activity (every step of a report runs one), Unix time; from the workers’ heartbeats', registers }),
  workerPollsOutstanding: new Gauge({ name: 'baosong_worker_polls_outstanding', help: 'Polls the live workers have open on Temporal (workflow + activity)', registers }),
  workerStalled: new Gauge({ name: 'baosong_worker_stalled', help: '1 while reports wait with no worker progress (or on a silent worker), else 0', registers }),

  webRequests: new Histogram({ name: 'baosong_web_request_duration_seconds', help: 'Web requests, by route', labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),

  reviewsPending: new Gauge({
    name: 'baosong_reviews_pending',
    help: 'Reports waiting for a review, by step (from the read model: the same in every process)',
    labelNames: ['step'],
    registers,
    collect: () => collectReviews(),
  }),
  reviewsOverdue: new Gauge({ name: 'baosong_reviews_overdue', help: 'Reports whose review is overdue, by step (from the read model)', labelNames: ['step'], registers, collect: () => collectReviews() }),
};

const REVIEW_STEPS = ['department_head', 'office', 'leadership'] as const;
const INTAKE_STATES = ['connecting', 'backlog', 'idle', 'handling', 'disconnected', 'stopped'] as const;

/** Both review gauges are filled by one query per scrape (the registry collects metrics concurrently). */
let reviewsCollecting: Promise<void> | null = null;
function collectReviews(): Promise<void> {
  reviewsCollecting ??= queryReviews().finally(() => (reviewsCollecting = null));
  return reviewsCollecting;
}

async function queryReviews(): Promise<void> {
  if (!source) return;
  const rows = await source.database.db
    .selectFrom('reports')
    .select((eb) => ['current_step_kind', 'overdue', eb.fn.countAll<number | string>().as('n')])
    .where('status', '=', 'in_review')
    .groupBy(['current_step_kind', 'overdue'])
    .execute();
  metrics.reviewsPending.reset();
  metrics.reviewsOverdue.reset();
  for (const step of REVIEW_STEPS) {
    metrics.reviewsPending.set({ step }, 0);
    metrics.reviewsOverdue.set({ step }, 0);
  }
  for (const r of rows) {
    const step = r.current_step_kind ?? 'unknown';
    metrics.reviewsPending.inc({ step }, Number(r.n));
    if (r.overdue === true || r.overdue === 1) metrics.reviewsOverdue.inc({ step }, Number(r.n));
  }
}

/** The database-derived gauges read this read model. */
export function observeReadModel(readModel: ReadModel): void {
  source ??= readModel;
}

/** Counts a report event the read model recorded for the first time. */
/** What the stall watch (worker/liveness.ts) last saw. */
export function observeWorkerLiveness(view: { failing: boolean; lastActivityAt: string | null; pollsOutstanding: number }): void {
  if (view.lastActivityAt) metrics.workerLastActivity.set(Date.parse(view.lastActivityAt) / 1000);
  metrics.workerPollsOutstanding.set(view.pollsOutstanding);
  metrics.workerStalled.set(view.failing ? 1 : 0);
}

export function countReportEvent(type: string, report: { category: string; urgency: string }): void {
  const labels = { category: report.category, urgency: report.urgency };
  if (type === 'published') metrics.reportsPublished.inc(labels);
  else if (type === 'sent_back') metrics.reportsReturned.inc(labels);
  else if (type === 'expired') metrics.reportsExpired.inc(labels);
}

export function countSubmission(origin: string, report: { category: string; urgency: string }, started: boolean): void {
  const labels = { origin, category: report.category, urgency: report.urgency };
  metrics.reportsReceived.inc(labels);
  if (started) metrics.reportsStarted.inc(labels);
}

/** Counts one attempt to deliver a mail (mail/deliver.ts). */
export function countMailAttempt(kind: string, attempt: number, ok: boolean): void {
  if (attempt > 1) metrics.mailsRetried.inc({ kind });
  if (ok) metrics.mailsSent.inc({ kind });
  else metrics.mailsFailed.inc({ kind });
}

/** What the intake's MailboxWatcher reports, as metrics (its 'state' and 'handled' events). */
export interface IntakeEvents {
  on(event: 'state', listener: (health: { state: string }) => void): unknown;
  on(event: 'handled', listener: (uid: number, disposition: { folder: string }, ms: number) => void): unknown;
}

export function observeIntake(watcher: IntakeEvents, initialState = 'connecting'): void {
  let last = initialState;
  const show = (state: string) => {
    for (const s of INTAKE_STATES) metrics.intakeState.set({ state: s }, s === state ? 1 : 0);
  };
  show(last);
  watcher.on('state', (health) => {
    if (last === 'disconnected' && health.state !== 'disconnected' && health.state !== 'stopped') metrics.imapReconnects.inc();
    last = health.state;
    show(last);
  });
  watcher.on('handled', (_uid, disposition, ms) => {
    const quarantined = disposition.folder === 'quarantine';
    metrics.intakeMails.inc({ disposition: quarantined ? 'quarantined' : 'processed' });
    if (quarantined) metrics.intakeQuarantined.inc();
    metrics.intakeLatency.observe(ms / 1000);
  });
}

// ---- the Temporal SDK's own metrics ----------------------------------------------------------------

/** Where the SDK's Prometheus exporter listens in this process (BAOSONG_TEMPORAL_METRICS), if it does. */
let temporalMetricsAddress: string | null = null;

/**
 * Runtime.install telemetry options that make the Temporal SDK (its Rust core) serve its own worker
 * metrics — task slots, poll latency, workflow task and activity execution latencies, sticky cache —
 * in Prometheus format at `address` (host:port). /metrics of this process then includes them too.
 */
export function temporalTelemetry(address: string | undefined): { metrics: { prometheus: { bindAddress: string; countersTotalSuffix: boolean; useSecondsForDurations: boolean } } } | undefined {
  if (!address) return undefined;
  temporalMetricsAddress = address;
  return { metrics: { prometheus: { bindAddress: address, countersTotalSuffix: true, useSecondsForDurations: true } } };
}

async function temporalMetricsText(): Promise<string> {
  if (!temporalMetricsAddress) return '';
  const address = temporalMetricsAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
  try {
    const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.text() : '';
  } catch {
    return ''; // the SDK's exporter is not up (yet): our own metrics still answer
  }
}

/** The text /metrics answers: this process's metrics, then the Temporal SDK's when it exports them. */
export async function metricsText(): Promise<string> {
  const [own, sdk] = await Promise.all([registry.metrics(), temporalMetricsText()]);
  return sdk ? `${own.trimEnd()}\n${sdk}` : own;
}

export const METRICS_CONTENT_TYPE = registry.contentType;
