/**
 * Where stored files (attachments, long texts, kept raw mails) live: the data folder by default, or a bucket of
 * S3-compatible object storage (Aliyun OSS, Tencent COS, MinIO, AWS) when `storage.s3` is configured — what
 * several machines, or a district's deployment, need to share. Both keep the same keys
 * (`attachments/<ab>/<sha256>`), so a data folder's files copy into a bucket as they are
 * (`baosong migrate-attachments`), and the read model's `storage_path` stays true in either.
 *
 *   const store = fileStoreFor(config);
 *   await store.put(key, bytes, 'image/jpeg');
 *   const bytes = await store.read(key); // null when absent
 *
 * Files are content-addressed, so a put of an existing key writes the same bytes again: harmless, and
 * callers skip it with `has()`.
 */
import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Config } from '../config/schema.js';
import type { ErrorCodes } from '../domain/errors.js';

export type FileStoreErrorCode = ErrorCodes<'ESTORAGE' | 'ESTORAGE_AUTH' | 'ESTORAGE_BUCKET'>;

export class FileStoreError extends Error {
  readonly code: FileStoreErrorCode;
  constructor(code: FileStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileStoreError';
    this.code = code;
  }
}

export interface FileStore {
  readonly kind: 'disk' | 's3';
  /** Where the files are, for logs and messages: a folder, or s3://bucket/prefix at an endpoint. */
  readonly where: string;
  has(key: string): Promise<boolean>;
  /** The size in bytes, or null when there is no such file. */
  size(key: string): Promise<number | null>;
  put(key: string, content: Buffer, contentType: string): Promise<void>;
  /** The bytes, or null when there is no such file. */
  read(key: string): Promise<Buffer | null>;
  /** A stream of the bytes (for downloads), or null when there is no such file. */
  open(key: string): Promise<Readable | null>;
  /** Throws a FileStoreError saying what is wrong when the store cannot be used (folder not writable, bucket or key refused). */
  check(): Promise<void>;
}

/** What a store needs from the configuration (a school's or a deployment's). */
export type StoreConfig = Pick<Config, 'dataDir' | 'storage'>;

const stores = new WeakMap<object, FileStore>();

/**
 * The store a configuration names, made once per configuration object (an S3 client keeps its connections).
 * `env` gives the access keys the configuration names by variable.
 */
export function fileStoreFor(config: StoreConfig, env: NodeJS.ProcessEnv = process.env): FileStore {
  let store = stores.get(config);
  if (!store) {
    const s3 = config.storage?.s3;
    store = s3 ? s3Store({ ...s3, accessKeyId: secretFrom(env, s3.accessKeyIdEnv), secretAccessKey: secretFrom(env, s3.secretAccessKeyEnv) }) : diskStore(config.dataDir);
    stores.set(config, store);
  }
  return store;
}

function secretFrom(env: NodeJS.ProcessEnv, variable: string): string {
  const value = env[variable];
  if (!value) throw new FileStoreError('ESTORAGE_AUTH', `${variable} is not set: storage.s3 names it for the object storage's access key (${variable}=… in the service's environment)`);
  return value;
}

const notFound = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** Files under a folder: `<dir>/<key>`, written to a temporary name and renamed, so a crash never leaves half a file. */
export function diskStore(dir: string): FileStore {
  const root = resolve(dir);
  const path = (key: string) => join(root, key);
  return {
    kind: 'disk',
    where: root,
    has: (key) => access(path(key)).then(() => true, () => false),
    size: (key) => stat(path(key)).then((s) => s.size, (err) => (notFound(err) ? null : Promise.reject(diskError(err, root)))),
    async put(key, content) {
      const file = path(key);
      try {
        await mkdir(join(file, '..'), { recursive: true });
        const tmp = `${file}.${randomUUID()}.tmp`;
        await writeFile(tmp, content);
        await rename(tmp, file);
      } catch (err) {
        throw diskError(err, root);
      }
    },
    read: (key) => readFile(path(key)).catch((err) => (notFound(err) ? null : Promise.reject(diskError(err, root)))),
    async open(key) {
      const file = path(key);
      if (!(await access(file).then(() => true, () => false))) return null;
      return createReadStream(file);
    },
    async check() {
      const probe = join(root, `.baosong-check-${randomUUID()}`);
      try {
        await mkdir(root, { recursive: true });
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (err) {
        throw diskError(err, root);
      }
    },
  };
}

function diskError(err: unknown, root: string): FileStoreError {
  const e = err as NodeJS.ErrnoException;
  return new FileStoreError('ESTORAGE', `The data folder ${root} cannot be used for files: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '), { cause: err });
}

export interface S3StoreOptions {
  /** The service's address, e.g. https://oss-cn-hangzhou.aliyuncs.com or http://127.0.0.1:9000; absent: AWS by region. */
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  /** Put before every key, e.g. "baosong/"; empty for the bucket's root. */
  prefix: string;
  /** Path-style addresses (endpoint/bucket/key): MinIO and most self-hosted servers; Aliyun OSS and Tencent COS want false. */
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

type S3 = typeof import('@aws-sdk/client-s3');

/**
 * The S3 SDK is loaded with the first use of a bucket, not with the program: a school keeping its files in the data
 * folder — the default — does not carry it in its intake + web process (bench:memory: 4–6 MB of that process's RSS
 * at start; 37 MB when imported alone, most of it shared with what the process loads anyway).
 */
let sdk: Promise<S3> | undefined;
const loadSdk = (): Promise<S3> => (sdk ??= import('@aws-sdk/client-s3'));

/** Files as objects in a bucket: `<prefix><key>`. */
export function s3Store(options: S3StoreOptions): FileStore {
  let connecting: Promise<{ s3: S3; client: S3Client }> | undefined;
  const connect = () => (connecting ??= loadSdk().then((s3) => ({ s3, client: newClient(s3, options) })));
  const Bucket = options.bucket;
  const Key = (key: string) => `${options.prefix}${key}`;
  const where = `s3://${Bucket}/${options.prefix}${options.endpoint ? ` at ${options.endpoint}` : ` (${options.region})`}`;
  const fail = (err: unknown, doing: string): FileStoreError => s3Error(err, doing, where, Bucket);
  // Set once check() has written and read its probe: the key is good, so a 403 on HEAD means "no such object" (AWS
  // answers 403 for a missing key to a key without ListBucket, as a district's key limited to its prefix is).
  let keyWorks = false;
  const size = async (key: string): Promise<number | null> => {
    try {
      const { s3, client } = await connect();
      const head = await client.send(new s3.HeadObjectCommand({ Bucket, Key: Key(key) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isMissing(err) || (keyWorks && (err as S3ServiceException).$metadata?.httpStatusCode === 403)) return null;
      throw fail(err, `looking for ${Key(key)}`);
    }
  };
  const get = async (key: string) => {
    try {
      const { s3, client } = await connect();
      return (await client.send(new s3.GetObjectCommand({ Bucket, Key: Key(key) }))).Body ?? null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw fail(err, `reading ${Key(key)}`);
    }
  };
  return {
    kind: 's3',
    where,
    has: async (key) => (await size(key)) !== null,
    size,
    async put(key, content, contentType) {
      try {
        const { s3, client } = await connect();
        await client.send(new s3.PutObjectCommand({ Bucket, Key: Key(key), Body: content, ContentType: contentType, ContentLength: content.length }));
      } catch (err) {
        throw fail(err, `storing ${Key(key)}`);
      }
    },
    async read(key) {
      const body = await get(key);
      if (!body) return null;
      try {
        return Buffer.from(await body.transformToByteArray());
      } catch (err) {
        throw fail(err, `reading ${Key(key)}`);
      }
    },
    async open(key) {
      return (await get(key)) as Readable | null; // in Node the body is an IncomingMessage (a Readable)
    },
    async check() {
      // A small object under the prefix, written and read back: what the service will do, with only the rights it
      // needs (a key limited to bucket/prefix/* has no bucket-level rights such as HeadBucket).
      const probe = Key('.baosong-check');
      try {
        const { s3, client } = await connect();
        await client.send(new s3.PutObjectCommand({ Bucket, Key: probe, Body: Buffer.from('baosong'), ContentType: 'text/plain' }));
        await client.send(new s3.HeadObjectCommand({ Bucket, Key: probe }));
        keyWorks = true;
      } catch (err) {
        throw fail(err, 'opening the bucket');
      }
    },
  };
}

function newClient(s3: S3, options: S3StoreOptions): S3Client {
  return new s3.S3Client({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // The SDK's default since 2025 sends a CRC checksum in an aws-chunked body that OSS, COS and older MinIO
    // refuse; a content hash in the signature (what they all check) is enough for files we address by hash.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
    // A hung connection to the storage service must not hang a page or an activity.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
}

function isMissing(err: unknown): boolean {
  const e = err as S3ServiceException;
  // A HEAD has no body, so a missing bucket also reads NotFound: check() tells the two apart.
  return e?.name === 'NoSuchKey' || (e?.name === 'NotFound' && e.$metadata?.httpStatusCode === 404);
}

function s3Error(err: unknown, doing: string, where: string, bucket: string): FileStoreError {
  const e = err as S3ServiceException & { code?: string };
  const status = e?.$metadata?.httpStatusCode;
  if (status === 403 || e?.name === 'InvalidAccessKeyId' || e?.name === 'SignatureDoesNotMatch' || e?.name === 'AccessDenied') {
    return new FileStoreError('ESTORAGE_AUTH', `The object storage ${where} refused the access key while ${doing} (${e.name}, HTTP ${status ?? '?'}): check storage.s3's key variables and the key's rights on the bucket`, { cause: err });
  }
  if (e?.name === 'NoSuchBucket' || (doing === 'opening the bucket' && status === 404)) {
    return new FileStoreError('ESTORAGE_BUCKET', `The object storage at ${where} has no bucket ${JSON.stringify(bucket)} (create it, or correct storage.s3.bucket and region)`, { cause: err });
  }
  return new FileStoreError('ESTORAGE', `The object storage ${where} failed while ${doing}: ${e?.name ?? ''} ${e?.message ?? String(err)}${status ? ` (HTTP ${status})` : ''}${e?.code ? ` (${e.code})` : ''}`.replace(/\s+/g, ' '), { cause: err });
}
