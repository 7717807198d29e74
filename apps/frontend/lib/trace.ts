/**
 * W3C trace context for the frontend: every page and API request belongs to a trace, the
 * caller's when it sent a valid `traceparent`, a new one otherwise. The trace goes on to the
 * backend, which continues it down to PostgreSQL, and into every JSON log line written here.
 */

/** The response header naming the trace, for a developer to copy from the network tab. */
export const TRACE_ID_HEADER = "x-trace-id";

/** W3C Trace Context level 2: the response names the trace and the span that answered. */
export const TRACE_RESPONSE_HEADER = "traceresponse";

// version 00, 32 hex trace id, 16 hex parent id, 2 hex flags (https://www.w3.org/TR/trace-context/).
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO = /^0+$/;

export type TraceContext = {
  traceId: string;
  /** The value sent on to the backend. */
  traceparent: string;
  /** Whether the caller started this trace (true) or this request did (false). */
  continued: boolean;
};

/** The trace id of a valid traceparent value, or null (an all-zero id is invalid). */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const match = TRACEPARENT.exec((traceparent ?? "").trim().toLowerCase());
  if (!match || ALL_ZERO.test(match[1]) || ALL_ZERO.test(match[2])) return null;
  return match[1];
}

/** The caller's trace when its traceparent is valid, else a new sampled trace. */
export function traceFor(incoming: Headers): TraceContext {
  const given = incoming.get("traceparent");
  const traceId = traceIdOf(given);
  if (traceId !== null && given !== null) {
    return { traceId, traceparent: given.trim().toLowerCase(), continued: true };
  }
  const fresh = randomHex(16);
  return { traceId: fresh, traceparent: `00-${fresh}-${randomHex(8)}-01`, continued: false };
}

/** The same trace with a new span of this server's, child of the caller's (flags kept). */
export function childSpan(trace: TraceContext): TraceContext {
  const flags = trace.traceparent.slice(-2);
  return { ...trace, traceparent: `00-${trace.traceId}-${randomHex(8)}-${flags}` };
}

// Web Crypto, not node:crypto: the middleware runs in the edge runtime, which has only this.
function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `incoming` with the trace's traceparent set (and a stale tracestate dropped with a new trace). */
export function withTrace(headers: Headers, trace: TraceContext): Headers {
  const traced = new Headers(headers);
  traced.set("traceparent", trace.traceparent);
  if (!trace.continued) traced.delete("tracestate");
  return traced;
}

type Level = "debug" | "info" | "warn" | "error";

/**
 * One JSON line, the shape `paws-stack logs` reads: ts, level, msg, trace_id, then the fields.
 * Errors go to stderr, the rest to stdout. Never pass request bodies or secrets as fields.
 */
export function logJson(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}
