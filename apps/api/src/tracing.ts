export interface Tracing {
  // Sends what is buffered, then stops: within `TRACING_FLUSH_TIMEOUT_MS`,
  // and never rejects. Tracing is optional, so a collector that is down or
  // slow is one warning and never decides how the process ends.
  shutdown(warn: (details: object, message: string) => void): Promise<void>;
}

// How long a shutdown waits for the spans still buffered to reach the collector.
export const TRACING_FLUSH_TIMEOUT_MS = 2000;

// OpenTelemetry traces over OTLP/HTTP, only when an endpoint is configured
// (the standard OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
// read by the exporter with the other OTEL_* settings). Otherwise the API's
// tracer stays the no-op one, the spans in the code cost next to nothing, and
// the SDK is not even loaded (it would hold several MiB of every node's heap).
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing | null> {
  if (!tracingConfigured(env)) return null;
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, NodeTracerProvider }, prisma] =
    await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace-node'),
      import('@prisma/instrumentation'),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'rejoinder-api' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // The async-hooks context manager and W3C trace-context propagation.
  provider.register();
  // Prisma reports its operations, transactions and SQL statements as spans.
  prisma.registerInstrumentations({ tracerProvider: provider, instrumentations: [new prisma.PrismaInstrumentation()] });
  return {
    shutdown: async (warn) => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), TRACING_FLUSH_TIMEOUT_MS);
      });
      try {
        const outcome = await Promise.race([provider.shutdown().then(() => 'sent' as const), timedOut]);
        if (outcome === 'timeout')
          warn({ timeoutMs: TRACING_FLUSH_TIMEOUT_MS }, 'Tracing: the buffered spans were not sent in time; dropped');
      } catch (error) {
        warn({ reason: describe(error) }, 'Tracing: the buffered spans could not be sent; dropped');
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

// The exporter's failure, in one line (an ECONNREFUSED is not worth a stack).
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
