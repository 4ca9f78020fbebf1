/**
 * `baosong migrate-attachments` — copy the data folder's stored files into the object storage that
 * `storage.s3` names (ops/migrate-attachments.ts). Run it before starting baosong with `storage.s3` on an
 * existing school's data; run it again after an interruption: what is already there is skipped.
 */
import { Command } from 'commander';
import { envLocale, speaker } from '../config/messages.js';
import type { ErrorCode } from '../domain/errors.js';
import { optionalConfig, printJson } from './options.js';

export class MigrateUsageError extends Error {
  readonly code = 'ESTORAGE_MIGRATE' satisfies ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = 'MigrateUsageError';
  }
}

export function migrateAttachmentsCommand(): Command {
  return new Command('migrate-attachments')
    .description("copy the data folder's attachments into the object storage of storage.s3 (idempotent: run again to resume)")
    .option('-c, --config <path>', 'configuration file')
    .option('--from <dataDir>', 'the data folder to copy from (default: the configuration\'s dataDir)')
    .option('--remove-local', 'delete each local file once its copy in the bucket is verified')
    .action(async (opts: { config?: string; from?: string; removeLocal?: boolean }) => {
      const loaded = await optionalConfig(opts.config);
      if (!loaded?.config.storage.s3) {
        const say = speaker(loaded?.config.school.locale ?? envLocale());
        throw new MigrateUsageError(say('The configuration has no storage.s3: name the bucket to copy into first (README "Attachments in object storage").', '配置里没有 storage.s3：请先写明要存入的存储桶（见 README“附件存到对象存储”）。'));
      }
      const { config } = loaded;
      const t = speaker(config.school.locale);
      const [{ fileStoreFor }, { migrateAttachments }] = await Promise.all([import('../storage/store.js'), import('../ops/migrate-attachments.js')]);
      const store = fileStoreFor(config);
      await store.check();
      const from = opts.from ?? config.dataDir;
      const result = await migrateAttachments({ dataDir: from, to: store, removeLocal: opts.removeLocal ?? false, log: (line) => process.stderr.write(`${line}\n`) });
      process.stderr.write(
        `${t(
          `${result.files} files: ${result.copied} copied (${(result.bytesCopied / 1e6).toFixed(1)} MB), ${result.alreadyThere} already in the bucket, ${result.removedLocal} local copies removed, ${result.skipped.length} left aside, ${result.failed.length} failed`,
          `共 ${result.files} 个文件：复制 ${result.copied} 个（${(result.bytesCopied / 1e6).toFixed(1)} MB），${result.alreadyThere} 个已在存储桶中，删除本机副本 ${result.removedLocal} 个，另放 ${result.skipped.length} 个，失败 ${result.failed.length} 个`,
        )}\n`,
      );
      if (result.failed.length > 0) process.stderr.write(`${t('Run the same command again to retry the failed ones.', '失败的文件可以再运行一次同样的命令重试。')}\n`);
      printJson(result);
      if (result.failed.length > 0) process.exitCode = 1;
    });
}
