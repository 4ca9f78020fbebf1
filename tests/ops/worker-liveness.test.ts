// Issue 22 item 9: mails reached Processed and for 6 minutes no report moved, and nothing said so. Here the
// worker's connection to Temporal goes through a proxy that stops passing bytes (the server's answers to its
// polls held back); a mail is processed meanwhile. Within the stall threshold /healthz says the worker makes
// no progress (503, in Chinese), the metric says stalled, one warning is logged; when the proxy lets go, the
// receipt goes out, /healthz is ok again and the recovery is logged. Real worker, test server, SMTP, SQLite.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { ChatRobots } from '../../chat/index.js';
import { WorkerBeats } from '../../db/worker-beats.js';
import { handleMail } from '../../intake/handle.js';
import { registry } from '../../ops/metrics.js';
import { StallWatch, WorkerLiveness, type LivenessView } from '../../worker/liveness.js';
import type { WebServer } from '../../web/server.js';
import { SECRET, startHarness, startHarnessWeb, testWorkflowCode, type Harness } from '../support/baosong.js';
import { mail } from '../support/mails.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let proxy: TcpProxy;
let worker: Worker;
let running: Promise<void>;
let liveness: WorkerLiveness;
let watch: StallWatch;
let web: WebServer;
let base: string;
const logged: { level: string; msg: string; view: LivenessView }[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  // The harness's own worker goes; ours talks to Temporal through the proxy.
  await h.stopWorker();
  proxy = await startTcpProxy(env.address);
  const beats = new WorkerBeats(h.database);
  liveness = new WorkerLiveness({ beats, everyMs: 200 });
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address: proxy.address }),
    taskQueue: h.config.temporal.taskQueue,
    ...testWorkflowCode(),
    activities: createActivities({ config: h.config, database: h.database, readModel: h.readModel, transport: h.transport, secret: SECRET, chat: new ChatRobots(h.config, { env: {} }) }),
    interceptors: liveness.interceptors(),
  });
  liveness.attach(worker);
  running = worker.run();
  const record = (level: string) => (obj: object, msg: string) => void logged.push({ level, msg, view: (obj as { liveness: LivenessView }).liveness });
  watch = new StallWatch({ beats, stallMs: 3_000, silentMs: 10_000, checkEveryMs: 200, logger: { info: record('info'), warn: record('warn') } });
  watch.start();
  ({ web, base } = await startHarnessWeb(h, { health: () => ({ ok: !watch.view().failing, progress: watch.view() }) }));
}, 120_000);

afterAll(async () => {
  watch?.stop();
  liveness?.stop();
  proxy?.resume();
  await web?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await proxy?.close();
  await h?.close();
  await env?.teardown();
});

let uid = 1;
async function mailReport(title: string) {
  const raw = mail({ from: '刘芳 <liufang@school.test>', subject: `【校园文化】${title}`, body: `今天上午，学校举行了${title}。`, messageId: `<${randomUUID()}@school.test>` });
  const d = await handleMail({ config: h.config, client: env.client, readModel: h.readModel, transport: h.transport, secret: SECRET }, { uid: uid++, raw, internalDate: new Date(), size: raw.length });
  expect(d).toEqual({ folder: 'processed' });
  watch.noteWork(); // what the service's intake does with a processed mail
}

const healthz = async () => {
  const res = await fetch(`${base}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; progress: LivenessView } };
};
/**
 * Until the first report's workflow has done all it does before waiting for review: an activity of it finishing
 * after the pause would rightly count as progress (the CI run on a loaded machine saw a warning, a recovery and a
 * second warning that way). Quiet = nothing in flight in the worker and no activity finished for a second.
 */
async function workerQuiet() {
  let last: string | null = null;
  let sameSince = Date.now();
  await expect
    .poll(
      async () => {
        const s = worker.getStatus();
        const at = (await healthz()).body.progress.lastActivityAt;
        if (at !== last) [last, sameSince] = [at, Date.now()];
        return s.numInFlightActivities === 0 && s.numInFlightWorkflowActivations === 0 && Date.now() - sameSince >= 1_000;
      },
      { timeout: 30_000, interval: 200 },
    )
    .toBe(true);
}
const stalledMetric = async () => /^baosong_worker_stalled (\d)/m.exec(await registry.metrics())?.[1];

describe('a worker that makes no progress', () => {
  it('is reported within the threshold, and recovers when Temporal’s answers reach it again', async () => {
    // Healthy first: a mail, its receipt, the heartbeat shows the worker and its finished activities.
    await mailReport('读书节开幕式');
    await h.smtp.waitFor((m) => m.kind === 'receipt' && m.subject.includes('读书节开幕式'), 1, 60_000);
    await expect.poll(async () => (await healthz()).body.progress.lastActivityAt, { timeout: 10_000 }).not.toBeNull();
    expect((await healthz()).body.progress).toMatchObject({ state: 'ok', workers: 1, failing: false });
    await workerQuiet();
    // On a loaded machine the first receipt itself may take longer than the threshold (and be logged as a stall
    // and its recovery, rightly); what follows is about the stall the proxy makes.
    logged.length = 0;

    // Temporal's answers held back; a mail is processed (its workflow started by the intake's own connection).
    proxy.pause();
    await mailReport('运动会开幕式');
    await expect.poll(async () => (await healthz()).status, { timeout: 10_000 }).toBe(503);
    const stalled = (await healthz()).body.progress;
    expect(stalled).toMatchObject({ state: 'stalled', failing: true });
    expect(stalled.summary['zh-CN']).toMatch(/已有报送等待处理 \d+ 分钟，但后台处理进程没有任何进展/);
    expect(await stalledMetric()).toBe('1');
    expect(h.smtp.mails.filter((m) => m.subject.includes('运动会开幕式'))).toEqual([]);
    await new Promise((r) => setTimeout(r, 600)); // several checks while stalled: still one warning
    expect(logged.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'warn', msg: expect.stringMatching(/reports waiting but no worker progress/) });

    // Let go: the worker gets its task, the receipt goes out, health is ok again and the recovery is logged.
    proxy.resume();
    await h.smtp.waitFor((m) => m.kind === 'receipt' && m.subject.includes('运动会开幕式'), 1, 30_000);
    await expect.poll(async () => (await healthz()).status, { timeout: 10_000 }).toBe(200);
    expect((await healthz()).body.progress).toMatchObject({ state: 'ok', failing: false, waitingSince: null });
    expect(await stalledMetric()).toBe('0');
    expect(logged.map((l) => l.level)).toEqual(['warn', 'info']);
  }, 150_000);

  it('a worker that stops writing its heartbeat is silent; with work waiting that fails /healthz too', async () => {
    liveness.stop();
    const quiet = new StallWatch({ beats: new WorkerBeats(h.database), stallMs: 60_000, silentMs: 300, checkEveryMs: 100 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await quiet.check()).toMatchObject({ state: 'silent', failing: false }); // nothing waits: worth knowing, not failing
    quiet.noteWork();
    expect(await quiet.check()).toMatchObject({ state: 'silent', failing: true });
    expect((await quiet.check()).summary['zh-CN']).toContain('后台处理进程已有一段时间没有报告状态');
  });
});
