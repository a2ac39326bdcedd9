import { type SpanContext, TraceFlags, isSpanContextValid } from '@opentelemetry/api';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** A W3C `traceparent` value (`00-<trace id>-<span id>-<flags>`) for a span context. */
export function formatTraceparent(sc: SpanContext): string {
  const flags = (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${sc.traceId}-${sc.spanId}-${flags}`;
}

/** Reads a W3C `traceparent`; undefined when it is not one (or names the invalid all-zero ids). */
export function parseTraceparent(value: string): SpanContext | undefined {
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  // Version ff is forbidden; a later version may add fields after the four we read.
  if (!m || m[1] === 'ff' || (m[1] === '00' && value.trim().length !== 55)) return undefined;
  const sc: SpanContext = {
    traceId: m[2]!,
    spanId: m[3]!,
    traceFlags: parseInt(m[4]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(sc) ? sc : undefined;
}

/**
 * An X-Ray trace header (`Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>`, SQS's
 * `AWSTraceHeader`) for a span context: the W3C trace id split after its first 8 digits.
 */
export function formatXRayHeader(sc: SpanContext): string {
  const sampled = (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '1' : '0';
  return `Root=1-${sc.traceId.slice(0, 8)}-${sc.traceId.slice(8)};Parent=${sc.spanId};Sampled=${sampled}`;
}

/**
 * Reads an X-Ray trace header; undefined without a valid `Root` and `Parent` (a header with only
 * a Root names no span to continue). Unknown keys (`Lineage`, `Self`) are ignored.
 */
export function parseXRayHeader(value: string): SpanContext | undefined {
  let root: string | undefined;
  let parent: string | undefined;
  let sampled = false;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const v = part
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    if (key === 'root') root = v;
    else if (key === 'parent') parent = v;
    else if (key === 'sampled') sampled = v === '1';
  }
  const r = root === undefined ? null : /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(root);
  if (!r || parent === undefined || !/^[0-9a-f]{16}$/.test(parent)) return undefined;
  const sc: SpanContext = {
    traceId: r[1]! + r[2]!,
    spanId: parent,
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
  return isSpanContextValid(sc) ? sc : undefined;
}
