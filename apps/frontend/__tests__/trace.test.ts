/**
 * @jest-environment node
 */
import * as notes from "@/app/api/notes/route";
import { loadNewestNotes } from "@/lib/newest-notes";
import { TRACE_ID_HEADER, logJson, traceFor, traceIdOf, withTrace } from "@/lib/trace";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

let fetchMock: jest.SpyInstance;
let stdout: jest.SpyInstance;

beforeEach(() => {
  process.env.BACKEND_URL = "http://backend.test:8080";
  fetchMock = jest.spyOn(global, "fetch");
  stdout = jest.spyOn(console, "log").mockImplementation(() => undefined);
  jest.spyOn(console, "error").mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.BACKEND_URL;
});

function jsonLines(spy: jest.SpyInstance): Record<string, unknown>[] {
  return spy.mock.calls.map((call) => JSON.parse(call[0] as string) as Record<string, unknown>);
}

function sentTraceparent(): string | null {
  const [, init] = fetchMock.mock.calls[0] as [string, RequestInit];
  return new Headers(init.headers).get("traceparent");
}

describe("traceIdOf", () => {
  it("reads the trace id of a valid W3C traceparent", () => {
    expect(traceIdOf(TRACEPARENT)).toBe(TRACE_ID);
  });

  it.each([
    ["missing", null],
    ["garbage", "hello"],
    ["all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["all-zero parent id", `00-${TRACE_ID}-0000000000000000-01`],
    ["unknown version", `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ["short trace id", "00-4bf92f35-00f067aa0ba902b7-01"],
  ])("rejects a %s value", (_case, value) => {
    expect(traceIdOf(value)).toBeNull();
  });
});

describe("traceFor", () => {
  it("honours the caller's traceparent", () => {
    const trace = traceFor(new Headers({ traceparent: TRACEPARENT }));
    expect(trace).toEqual({ traceId: TRACE_ID, traceparent: TRACEPARENT, continued: true });
  });

  it("starts a new sampled trace when there is none or it is invalid", () => {
    for (const headers of [new Headers(), new Headers({ traceparent: "nonsense" })]) {
      const trace = traceFor(headers);
      expect(trace.continued).toBe(false);
      expect(trace.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(traceIdOf(trace.traceparent)).toBe(trace.traceId);
    }
    expect(traceFor(new Headers()).traceId).not.toBe(traceFor(new Headers()).traceId);
  });

  it("drops a tracestate that belonged to an invalid traceparent", () => {
    const incoming = new Headers({ traceparent: "nonsense", tracestate: "vendor=1" });
    const traced = withTrace(incoming, traceFor(incoming));
    expect(traced.get("tracestate")).toBeNull();
  });
});

describe("API requests", () => {
  it("forward a new trace to the backend and name it in the answer and the log", async () => {
    fetchMock.mockResolvedValue(Response.json({ id: 1 }, { status: 201 }));

    const response = await notes.POST(new Request("http://127.0.0.1:3000/api/notes", { method: "POST", body: "{}" }));

    const traceId = response.headers.get(TRACE_ID_HEADER);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf(sentTraceparent())).toBe(traceId);
    expect(jsonLines(stdout)).toEqual([
      expect.objectContaining({ level: "info", msg: "api request", method: "POST", status: 201, trace_id: traceId }),
    ]);
  });

  it("keep the caller's trace id end to end", async () => {
    fetchMock.mockResolvedValue(Response.json([]));

    const response = await notes.GET(
      new Request("http://127.0.0.1:3000/api/notes", { headers: { traceparent: TRACEPARENT } }),
    );

    expect(sentTraceparent()).toBe(TRACEPARENT);
    expect(response.headers.get(TRACE_ID_HEADER)).toBe(TRACE_ID);
    expect(jsonLines(stdout)[0]).toMatchObject({ trace_id: TRACE_ID, path: "/api/notes" });
  });

  it("name the trace in a gateway error too", async () => {
    fetchMock.mockRejectedValue(new TypeError("fetch failed"));
    const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);

    const response = await notes.POST(
      new Request("http://127.0.0.1:3000/api/notes", { method: "POST", body: "{}", headers: { traceparent: TRACEPARENT } }),
    );

    expect(response.status).toBe(502);
    expect(response.headers.get(TRACE_ID_HEADER)).toBe(TRACE_ID);
    expect(jsonLines(errors)[0]).toMatchObject({ level: "error", trace_id: TRACE_ID });
  });
});

describe("page requests", () => {
  it("start a trace for the page's backend call when the browser sent none", async () => {
    fetchMock.mockResolvedValue(Response.json([]));

    await loadNewestNotes(new Headers());

    const traceId = traceIdOf(sentTraceparent());
    expect(traceId).not.toBeNull();
    expect(jsonLines(stdout)[0]).toMatchObject({ msg: "page backend call", trace_id: traceId });
  });
});

describe("logJson", () => {
  it("writes one JSON object per line with ts, level and msg first", () => {
    logJson("warn", "slow", { trace_id: TRACE_ID });
    const [line] = stdout.mock.calls[0] as [string];
    expect(line).not.toContain("\n");
    expect(Object.keys(JSON.parse(line))).toEqual(["ts", "level", "msg", "trace_id"]);
  });
});
