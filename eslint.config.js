// Lint rules for baosong. Workflow and domain code must stay deterministic:
// no Node built-ins, no I/O packages, no clock or randomness of their own.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioPackages = [
  'nodemailer', 'imapflow', 'mailparser', 'mailauth', 'better-sqlite3', 'kysely', 'pg', 'fastify',
  'pino', 'yaml', 'iconv-lite', '@grpc/grpc-js', '@temporalio/client', '@temporalio/worker',
  '@temporalio/activity', '@temporalio/testing',
];
const deterministicSyntax = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'No clock reads here: take the time as an argument (workflow code: use the workflow clock).' },
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'No clock reads here: take the time as an argument.' },
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'No randomness here: pass a seed or a value in.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'test-output/', 'data/', 'temporal-server/bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', '*/lint-probe.ts', '*/*/lint-probe.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The CLI's loader imports the build or the sources by path: their types are not known to the linter
    // (dist/ may not exist yet, and .ts sources are not visible from a .js file).
    files: ['bin/*.js'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-call': 'off', '@typescript-eslint/no-unsafe-member-access': 'off' },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any`.
    files: ['tests/**/*.ts', 'temporal-server/**/*.test.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, ...ioPackages, '@temporalio/workflow'].map((name) => ({ name, message: 'domain/ is pure: no Node built-ins, I/O or Temporal imports.' })),
      }],
      'no-restricted-syntax': ['error', ...deterministicSyntax],
    },
  },
  // By path too, not only by package name: domain/ reaches nothing outside itself (no config, db,
  // activities…), and workflows/ takes values only from domain/ and itself — other modules as types only.
  {
    files: ['domain/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: 'domain/ is pure: import only from domain/ itself.' }] }] },
  },
  {
    files: ['domain/*/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./\\.\\./', message: 'domain/ is pure: import only from domain/ itself.' }] }] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(?!domain/)', allowTypeImports: true, message: 'Workflow code takes values only from domain/ and workflows/: import activities, db, config… as types (`import type`).' }],
      }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, ...ioPackages].map((name) => ({ name, message: 'Workflow code is deterministic: import activity types only, never Node or I/O modules.' })),
      }],
      'no-restricted-syntax': ['error', ...deterministicSyntax.slice(2)],
    },
  },
  // Fastify plugins are async functions by Fastify's convention, whether or not they await anything.
  {
    files: ['web/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
);
