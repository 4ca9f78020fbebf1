/** Runs the real `baosong` executable, as a person would from a shell. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BAOSONG_BIN = fileURLToPath(new URL('../../bin/baosong.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BAOSONG_BIN, ...args],
      // A Chinese user's shell, whatever this machine's LANG: tests that want English say BAOSONG_LOCALE: 'en'.
      { cwd: options.cwd, env: { ...process.env, BAOSONG_CONFIG: '', BAOSONG_LOCALE: '', LC_ALL: '', LANG: 'zh_CN.UTF-8', ...options.env }, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
