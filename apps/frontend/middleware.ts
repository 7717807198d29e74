import { NextResponse, type NextRequest } from "next/server";
import { TRACE_ID_HEADER, TRACE_RESPONSE_HEADER, childSpan, traceFor, withTrace } from "./lib/trace";

/**
 * Every page response names its trace, as the API answers do: `x-trace-id` for a developer to
 * copy from the browser's network tab, and `traceresponse` with the span that answered. The
 * page renders with the same trace (its request headers carry this traceparent), so its call
 * to the backend and its log lines belong to the trace the browser is told about.
 *
 * API routes start or continue their trace themselves (lib/backend.ts), and static files,
 * /healthz and /metrics belong to no request a developer would follow.
 */
export function middleware(request: NextRequest): NextResponse {
  const trace = childSpan(traceFor(request.headers));
  const response = NextResponse.next({ request: { headers: withTrace(request.headers, trace) } });
  response.headers.set(TRACE_ID_HEADER, trace.traceId);
  response.headers.set(TRACE_RESPONSE_HEADER, trace.traceparent);
  return response;
}

export const config = {
  matcher: ["/((?!api/|_next/|healthz|metrics|.*\\..*).*)"],
};
