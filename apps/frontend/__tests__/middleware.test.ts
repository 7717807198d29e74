/**
 * @jest-environment node
 */
import { NextRequest } from "next/server";
import { config, middleware } from "@/middleware";
import { TRACE_ID_HEADER, TRACE_RESPONSE_HEADER, traceIdOf } from "@/lib/trace";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN}-01`;

function page(headers: Record<string, string> = {}): NextRequest {
  return new NextRequest("http://127.0.0.1:3000/", { headers });
}

// NextResponse.next({ request: { headers } }) hands the rewritten request headers to the page
// through these response headers (Next's own protocol between middleware and renderer).
function passedOn(response: Response, name: string): string | null {
  return response.headers.get(`x-middleware-request-${name}`);
}

describe("page responses", () => {
  it("name the caller's trace and this server's span", () => {
    const response = middleware(page({ traceparent: TRACEPARENT }));

    expect(response.headers.get(TRACE_ID_HEADER)).toBe(TRACE_ID);
    const answered = response.headers.get(TRACE_RESPONSE_HEADER) ?? "";
    expect(answered).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(answered).not.toContain(CALLER_SPAN);
  });

  it("render with the trace they name, so the page's backend call continues it", () => {
    const response = middleware(page({ traceparent: TRACEPARENT, tracestate: "vendor=1" }));

    expect(passedOn(response, "traceparent")).toBe(response.headers.get(TRACE_RESPONSE_HEADER));
    expect(passedOn(response, "tracestate")).toBe("vendor=1");
  });

  it("start a trace when the browser sent none or an invalid one", () => {
    const cases: Record<string, string>[] = [{}, { traceparent: "nonsense", tracestate: "stale=1" }];
    for (const headers of cases) {
      const response = middleware(page(headers));

      const traceId = response.headers.get(TRACE_ID_HEADER);
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(traceId).not.toBe(TRACE_ID);
      expect(traceIdOf(passedOn(response, "traceparent"))).toBe(traceId);
      expect(passedOn(response, "tracestate")).toBeNull();
    }
  });
});

describe("the middleware's matcher", () => {
  // Next compiles `matcher` into a regular expression over the path; this is its core.
  const matches = (path: string) => new RegExp(`^${config.matcher[0]}$`).test(path);

  it.each(["/", "/notes", "/notes/42"])("covers the page %s", (path) => {
    expect(matches(path)).toBe(true);
  });

  it.each(["/api/notes", "/_next/static/chunk.js", "/healthz", "/metrics", "/icon.svg"])(
    "leaves %s alone",
    (path) => {
      expect(matches(path)).toBe(false);
    },
  );
});
