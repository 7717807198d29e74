import { observeRequest } from "./metrics";
import { TRACE_ID_HEADER, type TraceContext, logJson, traceFor, withTrace } from "./trace";

/**
 * The one module that knows where the backend is and how the frontend talks to it.
 *
 * Server-side only: BACKEND_URL is read at request time (not inlined at build time), so one
 * image serves every environment. The browser never sees the backend's address.
 */

export const DEFAULT_BACKEND_URL = "http://backend:8080";

// The backend itself waits and retries for up to 30 s while PostgreSQL has no leader or Sentinel
// promotes a new Redis master. The frontend must wait longer, or it would turn the backend's
// successful retry into a gateway error.
export const DEFAULT_TIMEOUT_MS = 35_000;

/** W3C trace context headers: a trace started by the caller continues in the backend. */
export const TRACE_HEADERS = ["traceparent", "tracestate"] as const;

/** Request headers passed on to the backend: trace context, the write's idempotency key, the body's type. */
export const FORWARDED_REQUEST_HEADERS = [
  ...TRACE_HEADERS,
  "accept",
  "content-type",
  "idempotency-key",
] as const;

/** Backend response headers passed back to the browser. */
export const FORWARDED_RESPONSE_HEADERS = [
  "content-type",
  "location",
  "retry-after",
  "traceresponse",
  TRACE_ID_HEADER,
] as const;

// A Response with one of these statuses must not carry a body.
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

type Env = Readonly<Record<string, string | undefined>>;

/** The backend's base URL, from BACKEND_URL or the compose service name. */
export function backendBaseUrl(env: Env = process.env): string {
  const configured = env.BACKEND_URL?.trim();
  return (configured || DEFAULT_BACKEND_URL).replace(/\/+$/, "");
}

/** How long one backend request may take, from BACKEND_TIMEOUT_MS or the default. */
export function backendTimeoutMs(env: Env = process.env): number {
  const configured = Number(env.BACKEND_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_TIMEOUT_MS;
}

/** The subset of `incoming` that the backend should see. */
export function forwardedHeaders(incoming: Headers, names: readonly string[]): Headers {
  const picked = new Headers();
  for (const name of names) {
    const value = incoming.get(name);
    if (value !== null) picked.set(name, value);
  }
  return picked;
}

/** Raised when the backend cannot be reached or does not answer in time. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly reason: "unreachable" | "timeout",
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`backend ${reason === "timeout" ? "timed out" : "unreachable"}: ${url}`, options);
    this.name = "BackendUnavailableError";
  }
}

/**
 * One request to the backend with the timeout applied. Resolves with any HTTP answer (a 404 or
 * 503 is the backend's to give); rejects with BackendUnavailableError on transport failure.
 */
export async function backendFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const url = `${backendBaseUrl()}${path}`;
  try {
    return await fetch(url, {
      ...init,
      cache: "no-store",
      redirect: "manual",
      signal: AbortSignal.timeout(backendTimeoutMs()),
    });
  } catch (error) {
    throw new BackendUnavailableError(failureReason(error), url, { cause: error });
  }
}

/** The JSON answer the browser gets when the backend is not there (502) or too slow (504). */
export function gatewayError(error: BackendUnavailableError, trace?: TraceContext): Response {
  logBackendFailure(error, trace);
  // The backend's address stays in the log: the browser learns what happened, not where.
  const body =
    error.reason === "timeout"
      ? { error: "backend_timeout", message: "the backend did not answer in time" }
      : { error: "backend_unreachable", message: "the backend is not reachable" };
  const headers = trace ? { [TRACE_ID_HEADER]: trace.traceId } : undefined;
  return Response.json(body, { status: error.reason === "timeout" ? 504 : 502, headers });
}

/**
 * Pass a route handler's request to the same path on the backend and its answer back unchanged:
 * method, query string, body, status and JSON body. No retries: the backend owns idempotency.
 * `route` names the request in the metrics: the route's pattern, e.g. `/api/notes/[id]`.
 */
export async function proxyToBackend(request: Request, path: string, route = path): Promise<Response> {
  const search = new URL(request.url).search;
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const trace = traceFor(request.headers);
  const init: RequestInit = {
    method: request.method,
    headers: withTrace(forwardedHeaders(request.headers, FORWARDED_REQUEST_HEADERS), trace),
    body: hasBody ? await request.text() : undefined,
  };
  const started = performance.now();
  try {
    const upstream = await backendFetch(`${path}${search}`, init);
    const headers = forwardedHeaders(upstream.headers, FORWARDED_RESPONSE_HEADERS);
    // Also when the backend answered without one (an error page of something in between).
    headers.set(TRACE_ID_HEADER, trace.traceId);
    const body = await readBody(upstream);
    logRequest(request, path, upstream.status, started, trace);
    observeRequest(request.method, route, upstream.status, secondsSince(started));
    return new Response(body, { status: upstream.status, headers });
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    const answer = gatewayError(error, trace);
    observeRequest(request.method, route, answer.status, secondsSince(started));
    return answer;
  }
}

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/** One line per proxied request: what, how it ended, how long it took, in which trace. */
function logRequest(request: Request, path: string, status: number, started: number, trace: TraceContext): void {
  logJson("info", "api request", {
    method: request.method,
    path,
    status,
    duration_ms: Math.round(performance.now() - started),
    trace_id: trace.traceId,
  });
}

// The whole body, so that a connection dropped mid-answer becomes a 502 rather than a cut stream.
async function readBody(upstream: Response): Promise<ArrayBuffer | null> {
  if (NULL_BODY_STATUSES.has(upstream.status)) return null;
  try {
    return await upstream.arrayBuffer();
  } catch (error) {
    throw new BackendUnavailableError(failureReason(error), upstream.url, { cause: error });
  }
}

// AbortSignal.timeout rejects with a DOMException named TimeoutError; anything else is transport.
function failureReason(error: unknown): BackendUnavailableError["reason"] {
  return (error as { name?: unknown } | null)?.name === "TimeoutError" ? "timeout" : "unreachable";
}

/** One JSON line on stderr, the shape the merged log view reads; no request bodies, no secrets. */
export function logBackendFailure(error: BackendUnavailableError, trace?: TraceContext): void {
  logJson("error", "backend request failed", {
    reason: error.reason,
    url: error.url,
    cause: describe(error.cause),
    ...(trace ? { trace_id: trace.traceId } : {}),
  });
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = (cause as { cause?: unknown }).cause;
  return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message;
}
