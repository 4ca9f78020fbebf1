// A bureau's pages (config school.level above 校级): its "departments" are schools, and its people read 学校.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WebServer } from '../../web/server.js';
import { webStringsFor, WEB_STRINGS } from '../../web/strings.js';
import { startHarness, startHarnessWeb, type Harness } from '../support/baosong.js';
import { createTestEnv } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
let web: WebServer;
let base: string;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env, { configure: (c) => ({ ...c, school: { ...c.school, name: '青禾县教育局', level: '县区级' } }) });
  ({ web, base } = await startHarnessWeb(h));
}, 60_000);

afterAll(async () => {
  await web?.close();
  await h?.close();
  await env?.teardown();
});

describe('a bureau’s words', () => {
  it('every page string says 学校 / school where a school’s says 部门 / department; a school’s are unchanged', () => {
    const bureau = webStringsFor('school');
    expect(Object.values(bureau['zh-CN']).filter((v) => v.includes('部门'))).toEqual([]);
    expect(Object.values(bureau.en).filter((v) => /department/i.test(v))).toEqual([]);
    expect([bureau['zh-CN']['col.department'], bureau['zh-CN']['submit.department'], bureau.en['col.department']]).toEqual(['学校', '报送学校', 'School']);
    expect(webStringsFor('department')).toBe(WEB_STRINGS);
  });

  it('the report form of a bureau asks for the school', async () => {
    const html = await (await fetch(`${base}/submit`)).text();
    expect(html).toContain('报送学校');
    expect(html).not.toContain('报送部门');
  });
});
