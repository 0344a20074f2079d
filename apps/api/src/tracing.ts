export interface Tracing {
  // Sends what is buffered, then stops.
  shutdown(): Promise<void>;
}

// OpenTelemetry traces over OTLP/HTTP, only when an endpoint is configured
// (the standard OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
// read by the exporter with the other OTEL_* settings). Otherwise the API's
// tracer stays the no-op one, the spans in the code cost next to nothing, and
// the SDK is not even loaded (it would hold several MiB of every node's heap).
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing | null> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
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
  return { shutdown: () => provider.shutdown() };
}
