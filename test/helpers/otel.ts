import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** An OpenTelemetry SDK registered for one test file: finished spans kept in memory. */
export interface TestTracing {
  /** Spans ended so far. */
  spans(): ReadableSpan[];
  /** Forgets the spans ended so far. */
  reset(): void;
  /** Unregisters the SDK (the API's no-op tracer is back) and shuts the provider down. */
  close(): Promise<void>;
}

/** Registers a tracer provider with an in-memory exporter and an AsyncLocalStorage context manager. */
export function installTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    close: async () => {
      trace.disable();
      context.disable();
      await provider.shutdown();
    },
  };
}

/** The one span named `name` (fails loudly when there is none or more than one). */
export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1)
    throw new Error(
      `expected one span '${name}', found ${found.length} among: ${spans.map((s) => s.name).join(', ')}`,
    );
  return found[0]!;
}

/** The parent span id of a finished span (SDK 2.x keeps the parent's context). */
export const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
