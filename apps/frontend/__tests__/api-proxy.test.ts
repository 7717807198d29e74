/**
 * @jest-environment node
 */
import * as noteById from "@/app/api/notes/[id]/route";
import * as notes from "@/app/api/notes/route";
import * as visits from "@/app/api/visits/route";
import { backendBaseUrl, backendTimeoutMs } from "@/lib/backend";

let fetchMock: jest.SpyInstance;
let stderr: jest.SpyInstance;

beforeEach(() => {
  process.env.BACKEND_URL = "http://backend.test:8080";
  delete process.env.BACKEND_TIMEOUT_MS;
  fetchMock = jest.spyOn(global, "fetch");
  stderr = jest.spyOn(console, "error").mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.BACKEND_URL;
});

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function browserRequest(path: string, init: RequestInit = {}): Request {
  return new Request(`http://127.0.0.1:3000${path}`, init);
}

function upstreamCall(): { url: string; init: RequestInit; headers: Headers } {
  expect(fetchMock).toHaveBeenCalledTimes(1);
  const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
  return { url, init, headers: new Headers(init.headers) };
}

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("settings", () => {
  it("defaults to the compose service name", () => {
    expect(backendBaseUrl({})).toBe("http://backend:8080");
  });

  it("reads BACKEND_URL and drops a trailing slash", () => {
    expect(backendBaseUrl({ BACKEND_URL: "http://127.0.0.1:8080/" })).toBe("http://127.0.0.1:8080");
  });

  it("waits longer than the backend's 30 s failover deadline by default", () => {
    expect(backendTimeoutMs({})).toBe(35_000);
  });

  it.each(["", "abc", "-1", "0"])("ignores BACKEND_TIMEOUT_MS=%p", (value) => {
    expect(backendTimeoutMs({ BACKEND_TIMEOUT_MS: value })).toBe(35_000);
  });
});

describe("POST /api/notes", () => {
  it("forwards method, body, trace context and idempotency key, and nothing else", async () => {
    fetchMock.mockResolvedValue(answer(201, { id: 1, text: "hi", created_at: "t" }));

    await notes.POST(
      browserRequest("/api/notes", {
        method: "POST",
        body: JSON.stringify({ text: "hi" }),
        headers: {
          "content-type": "application/json",
          traceparent: TRACEPARENT,
          tracestate: "paws=1",
          "idempotency-key": "key-1",
          cookie: "session=secret",
          authorization: "Bearer secret",
          "x-forwarded-for": "10.0.0.1",
        },
      }),
    );

    const { url, init, headers } = upstreamCall();
    expect(url).toBe("http://backend.test:8080/api/notes");
    expect(init.method).toBe("POST");
    expect(init.body).toBe('{"text":"hi"}');
    expect(Object.fromEntries(headers)).toEqual({
      "content-type": "application/json",
      traceparent: TRACEPARENT,
      tracestate: "paws=1",
      "idempotency-key": "key-1",
    });
  });

  it("passes the backend's 201 and JSON body back unchanged", async () => {
    const stored = { id: 9, text: "hi", created_at: "2026-12-01T10:00:00Z" };
    fetchMock.mockResolvedValue(answer(201, stored, { traceresponse: TRACEPARENT, "set-cookie": "x=1" }));

    const response = await notes.POST(browserRequest("/api/notes", { method: "POST", body: "{}" }));

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual(stored);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("traceresponse")).toBe(TRACEPARENT);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("answers 502 with a JSON error, once, when the backend cannot be reached", async () => {
    fetchMock.mockRejectedValue(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") }));

    const response = await notes.POST(browserRequest("/api/notes", { method: "POST", body: "{}" }));

    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: "backend_unreachable",
      message: "the backend is not reachable",
    });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("logs the failure as one JSON line with its cause", async () => {
    fetchMock.mockRejectedValue(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") }));

    await notes.POST(browserRequest("/api/notes", { method: "POST", body: "{}" }));

    expect(stderr).toHaveBeenCalledTimes(1);
    const line = JSON.parse(stderr.mock.calls[0][0] as string);
    expect(line).toMatchObject({
      level: "error",
      msg: "backend request failed",
      reason: "unreachable",
      url: "http://backend.test:8080/api/notes",
      cause: "fetch failed: connect ECONNREFUSED",
    });
  });

  it("answers 504 when the backend does not answer within BACKEND_TIMEOUT_MS", async () => {
    process.env.BACKEND_TIMEOUT_MS = "50";
    fetchMock.mockImplementation(
      (_url, init?: RequestInit) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );

    const started = Date.now();
    const response = await notes.POST(browserRequest("/api/notes", { method: "POST", body: "{}" }));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.status).toBe(504);
    expect((await response.json()).error).toBe("backend_timeout");
  });
});

describe("GET /api/notes", () => {
  it("forwards the query string and passes the list back", async () => {
    const list = [{ id: 1, text: "a", created_at: "t" }];
    fetchMock.mockResolvedValue(answer(200, list));

    const response = await notes.GET(browserRequest("/api/notes?limit=5", { headers: { traceparent: TRACEPARENT } }));

    const { url, init, headers } = upstreamCall();
    expect(url).toBe("http://backend.test:8080/api/notes?limit=5");
    expect(init.body).toBeUndefined();
    expect(headers.get("traceparent")).toBe(TRACEPARENT);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(list);
  });

  it.each([400, 404, 409, 500, 503])("passes a backend %i and its body back unchanged", async (status) => {
    fetchMock.mockResolvedValue(answer(status, { error: `status ${status}` }));

    const response = await notes.GET(browserRequest("/api/notes"));

    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: `status ${status}` });
  });

  it("passes a body-less 204 through", async () => {
    fetchMock.mockResolvedValue(answer(204, null));

    const response = await notes.GET(browserRequest("/api/notes"));

    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });
});

describe("GET /api/notes/[id]", () => {
  it("asks the backend for that note, with the id encoded", async () => {
    fetchMock.mockResolvedValue(answer(404, { error: "not found" }));

    const response = await noteById.GET(browserRequest("/api/notes/a%2Fb"), {
      params: Promise.resolve({ id: "a/b" }),
    });

    expect(upstreamCall().url).toBe("http://backend.test:8080/api/notes/a%2Fb");
    expect(response.status).toBe(404);
  });
});

describe("POST /api/visits", () => {
  it("returns the backend's count", async () => {
    fetchMock.mockResolvedValue(answer(200, { count: 42 }));

    const response = await visits.POST(browserRequest("/api/visits", { method: "POST" }));

    expect(upstreamCall().url).toBe("http://backend.test:8080/api/visits");
    expect(await response.json()).toEqual({ count: 42 });
  });
});
