/**
 * The OpenTelemetry SDK side of ops/tracing.ts, in a module of its own so that a process without tracing
 * never loads it (startTracing imports it when tracing is wanted).
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from './tracing.js';

export interface OpenTracingOptions {
  env: NodeJS.ProcessEnv;
  serviceName?: string | undefined;
  /** Given by tests; the OTLP exporter over HTTP (OTEL_EXPORTER_OTLP_* variables) otherwise. */
  spanProcessor?: SpanProcessor | undefined;
  /** Called once the provider has flushed and stopped. */
  onShutdown(): void;
}

/** Registers the global tracer provider and makes the plugin and client interceptor for Temporal. */
export function openTracing(options: OpenTracingOptions): Tracing {
  const { env } = options;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || options.serviceName || 'baosong' }))
    .merge(envDetectorSync.detect());
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor }),
    clientInterceptor: new OpenTelemetryWorkflowClientInterceptor(),
    shutdown: async () => {
      await provider.forceFlush();
      await provider.shutdown();
      options.onShutdown();
    },
  };
}
