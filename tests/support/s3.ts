// A real S3-speaking server on loopback for tests: s3rver (the S3 REST API over a temp folder), with one
// empty bucket. It refuses an unknown access key id but does not verify v4 signatures: a wrong secret passes.
//
//   const s3 = await startS3();
//   config.storage = { s3: s3.storageConfig() };   // env: s3.env (the access key variables)
//   await s3.keys();                               // what is in the bucket
//   await s3.stop();
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** The variables storage.s3 names, with s3rver's key. Put into process.env (or a service's env). */
  env: Record<string, string>;
  storageConfig(prefix?: string): { endpoint: string; region: string; bucket: string; prefix: string; accessKeyIdEnv: string; secretAccessKeyEnv: string; forcePathStyle: boolean };
  /** The object names in the bucket (under `prefix`). */
  keys(prefix?: string): Promise<string[]>;
  client: S3Client;
  stop(): Promise<void>;
}

export async function startS3(options: { bucket?: string } = {}): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'baosong-s3-'));
  const bucket = options.bucket ?? 'baosong-test';
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver's fixed credentials; the variable names are this test's own, so no real key is ever read.
  const env = { BAOSONG_TEST_S3_KEY_ID: 'S3RVER', BAOSONG_TEST_S3_SECRET: 'S3RVER' };
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  return {
    endpoint,
    bucket,
    env,
    client,
    storageConfig: (prefix = '') => ({ endpoint, region: 'us-east-1', bucket, prefix, accessKeyIdEnv: 'BAOSONG_TEST_S3_KEY_ID', secretAccessKeyEnv: 'BAOSONG_TEST_S3_SECRET', forcePathStyle: true }),
    async keys(prefix = '') {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        out.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return out.sort();
    },
    async stop() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
