/** `baosong start` (worker + intake), `baosong worker`, `baosong intake`, and `--demo`. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { configPath, EXAMPLE_CONFIG_FILE, loadConfig } from '../config/load.js';
import type { Part } from '../worker/service.js';

function serviceCommand(name: string, description: string, parts: Part[]): Command {
  return new Command(name)
    .description(description)
    .option('-c, --config <path>', 'configuration file (default: $BAOSONG_CONFIG or ./baosong.config.yaml, else the example)')
    .option('--demo', 'run on the in-memory Temporal test server (state is lost on exit; for trying baosong)')
    .action(async (opts: { config?: string; demo?: boolean }) => {
      const explicit = opts.config !== undefined || Boolean(process.env.BAOSONG_CONFIG);
      const useExample = !explicit && !existsSync(configPath());
      const { config, file } = loadConfig(useExample ? { path: EXAMPLE_CONFIG_FILE } : { path: opts.config });
      const { startService } = await import('../worker/service.js');
      const service = await startService({ config, configFile: file, parts, demo: opts.demo ?? false, trial: useExample });
      if (useExample) service.logger.warn({ config: file }, `no ${configPath()} found: running with the EXAMPLE configuration (a fictional school). Copy config/example.yaml to baosong.config.yaml and edit it.`);
      service.logger.info({ config: file }, `baosong ${parts.join(' + ')} started; Ctrl-C to stop`);
      const stop = (signal: string) => {
        service.logger.info({ signal }, 'stopping: draining the worker and the intake');
        void service.stop();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await service.done;
    });
}

export const startCommand = () => serviceCommand('start', 'run the worker, the mail intake and the web pages in one process', ['worker', 'intake', 'web']);
export const webCommand = () => serviceCommand('web', 'run only the web pages (form, status, reviewer links, office dashboard)', ['web']);
export const workerCommand = () => serviceCommand('worker', 'run only the Temporal worker (scale out: several on one task queue)', ['worker']);
export const intakeCommand = () => serviceCommand('intake', 'run only the mail intake (one per shared inbox)', ['intake']);
