// Thin, typed access to the Temporal protobuf definitions shipped in @temporalio/proto.
import proto from '@temporalio/proto';
import type { temporal as T } from '@temporalio/proto';

export const { temporal } = proto;
export type { T };

/** Enum objects with their values typed as plain numbers (we compare them with decoded fields). */
type Numeric<E> = { readonly [K in Exclude<keyof E, number>]: number };
const enums = temporal.api.enums.v1;
export const EventType = enums.EventType as unknown as Numeric<typeof enums.EventType>;
export const Status = enums.WorkflowExecutionStatus as unknown as Numeric<typeof enums.WorkflowExecutionStatus>;
export const TimeoutType = enums.TimeoutType as unknown as Numeric<typeof enums.TimeoutType>;
export const RetryState = enums.RetryState as unknown as Numeric<typeof enums.RetryState>;
export const ActivityStatus = enums.ActivityExecutionStatus as unknown as Numeric<typeof enums.ActivityExecutionStatus>;
export const ActivityIdReusePolicy = enums.ActivityIdReusePolicy as unknown as Numeric<typeof enums.ActivityIdReusePolicy>;
export const ActivityIdConflictPolicy = enums.ActivityIdConflictPolicy as unknown as Numeric<typeof enums.ActivityIdConflictPolicy>;

/** A plain object handed to protobufjs `encode` (numbers for int64, numeric enums). */
export type Obj = Record<string, unknown>;

export interface ReflType {
  fullName: string;
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: object): unknown;
}
export interface ReflMethod {
  name: string;
  resolve(): ReflMethod;
  resolvedRequestType: ReflType | null;
  resolvedResponseType: ReflType | null;
}
export interface ReflService {
  methods: Record<string, ReflMethod>;
}

const root = proto as unknown as { lookupService(name: string): ReflService; lookupType(name: string): ReflType };

export function lookupService(name: string): ReflService {
  return root.lookupService(name);
}

export function lookupType(name: string): ReflType {
  return root.lookupType(name);
}

export const DECODE_OPTIONS = { longs: Number, enums: Number, bytes: Buffer, arrays: true, objects: false, defaults: false };

export function decodeAs(type: ReflType, bytes: Uint8Array): unknown {
  return type.toObject(type.decode(bytes), DECODE_OPTIONS);
}

/** int64 fields arrive as numbers (longs: Number) but are typed as Long. */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return Number(v);
}

export interface DurationLike {
  seconds?: unknown;
  nanos?: number | null;
}

export function durationToMs(d: DurationLike | null | undefined): number {
  if (!d) return 0;
  return num(d.seconds) * 1000 + Math.floor((d.nanos ?? 0) / 1_000_000);
}

export function msToDuration(ms: number): Obj {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

export function msToTimestamp(ms: number): Obj {
  return msToDuration(ms);
}

export function timestampToMs(t: DurationLike | null | undefined): number {
  return durationToMs(t);
}

export function payloadsToText(p: T.api.common.v1.IPayloads | null | undefined): string {
  return (p?.payloads ?? []).map((x) => Buffer.from(x.data ?? []).toString('utf8')).join(',');
}
