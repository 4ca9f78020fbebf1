/**
 * The lint rules that keep workflow and domain code deterministic are part of the design:
 * this checks they really fire, on the real ESLint configuration.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

// The first lint builds the type-checked program for the whole project: slow on a busy machine.
describe('lint rules for deterministic code', { timeout: 120_000 }, () => {
  it('forbid Node built-ins, I/O packages, clock reads and randomness in domain/', async () => {
    const found = await problems(
      'domain/lint-probe.ts',
      "import { readFileSync } from 'node:fs';\nimport nodemailer from 'nodemailer';\nexport const a = [readFileSync, nodemailer, new Date(), Date.now(), Math.random()];\n",
    );
    expect(found.filter((p) => p.startsWith('no-restricted-imports'))).toHaveLength(2);
    expect(found.filter((p) => p.startsWith('no-restricted-syntax'))).toHaveLength(3);
  });

  it('forbid Node built-ins and I/O packages in workflows/, but allow @temporalio/workflow', async () => {
    const found = await problems(
      'workflows/lint-probe.ts',
      "import { sleep } from '@temporalio/workflow';\nimport { Client } from '@temporalio/client';\nimport path from 'path';\nexport const a = [sleep, Client, path];\n",
    );
    expect(found).toEqual([expect.stringMatching(/^no-restricted-imports: .*'@temporalio\/client'/), expect.stringMatching(/^no-restricted-imports: .*'path'/)]);
  });

  it('forbid domain/ to reach outside itself by path (config, db, activities…), at any depth', async () => {
    expect(await problems('domain/lint-probe.ts', "import { ReadModel } from '../db/read-model.js';\nimport type { Config } from '../config/schema.js';\nexport const a: [unknown, Config | null] = [ReadModel, null];\n")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*'\.\.\/db\/read-model\.js'/),
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*'\.\.\/config\/schema\.js'/),
    ]);
    expect(await problems('domain/mail/lint-probe.ts', "import { statusUrl } from '../../mail/links.js';\nimport { weekday } from '../time.js';\nexport const a = [statusUrl, weekday];\n")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*'\.\.\/\.\.\/mail\/links\.js'/),
    ]);
  });

  it('let workflows/ import activities and other modules as types only, and values from domain/', async () => {
    const found = await problems(
      'workflows/lint-probe.ts',
      "import { createActivities } from '../activities/index.js';\nimport type { Config } from '../config/schema.js';\nimport { decide } from '../domain/lifecycle.js';\nexport const a: [unknown, unknown, Config | null] = [createActivities, decide, null];\n",
    );
    expect(found).toEqual([expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*'\.\.\/activities\/index\.js'/)]);
  });

  it('report floating promises everywhere', async () => {
    const found = await problems('intake/lint-probe.ts', 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n');
    expect(found).toEqual([expect.stringMatching(/^@typescript-eslint\/no-floating-promises/)]);
  });

  it('leave pure domain code alone', async () => {
    expect(await problems('domain/lint-probe.ts', "import { findCategory } from './report.js';\nexport const c = findCategory('其他');\n")).toEqual([]);
  });
});
