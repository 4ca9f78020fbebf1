/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured by the standard variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS… as the OpenTelemetry SDK reads them;
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off again).
 *
 * One report's trace: `mail in` (the intake handling one mail) or `HTTP POST /submit` (the web) →
 * StartWorkflow / SignalWorkflow (Temporal's client interceptor) → the workflow's spans (its interceptors,
 * exported through a sink) → each activity (RunActivity) → `smtp send` for every mail out. The trace context
 * travels in Temporal headers, so it crosses processes (web, intake, workers) as it crosses the network.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';

export const TRACER_NAME = 'baosong';

export interface Tracing {
  /** For Worker.create: client, activity and workflow interceptors and the workflow span sink. */
  plugin: OpenTelemetryPlugin;
  /** For a Client: starts and signals carry the trace context into the workflow. */
  clientInterceptor: OpenTelemetryWorkflowClientInterceptor;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** Whether the environment asks for tracing. */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

let active: Tracing | null = null;

/**
 * Starts tracing for this process when the environment asks for it (or a span processor is given, for
 * tests); null otherwise. Registers the global tracer provider, the AsyncLocalStorage context manager
 * and the W3C trace-context propagator. Once per process: a second call returns the first.
 * The SDK and its exporter (~10 MB of memory once loaded) are loaded only then (ops/tracing-sdk.ts):
 * most schools never turn tracing on, and `inSpan` costs nothing without it.
 */
export async function startTracing(options: { env?: NodeJS.ProcessEnv; serviceName?: string; spanProcessor?: SpanProcessor } = {}): Promise<Tracing | null> {
  if (active) return active;
  const env = options.env ?? process.env;
  if (!options.spanProcessor && !tracingWanted(env)) return null;
  const { openTracing } = await import('./tracing-sdk.js');
  if (active) return active; // started by a concurrent call while the SDK loaded
  const tracing = openTracing({ env, serviceName: options.serviceName, spanProcessor: options.spanProcessor, onShutdown: () => (active = null) });
  active = tracing;
  return tracing;
}

/** Whether tracing was started in this process. */
export function tracingActive(): boolean {
  return active !== null;
}

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Runs `fn` inside a new active span (a no-op span when tracing is off); records a throw as an error. */
export function inSpan<T>(name: string, attributes: Record<string, string | number | boolean>, fn: (span: Span) => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * A Fastify serverFactory: each HTTP request runs inside a server span (its parent from a traceparent
 * header, if any), named by method and route when the route is known (`nameRequestSpan`).
 */
export function tracedServerFactory(handler: RequestListener): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer().startSpan(`HTTP ${req.method ?? 'GET'}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? 'GET' } }, parent);
    res.once('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => handler(req, res));
  });
}

/** Names the request's span after its route pattern (never the URL: tokens live in URLs). */
export function nameRequestSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(`HTTP ${method} ${route}`);
  span.setAttribute('http.route', route);
}
