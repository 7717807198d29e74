/**
 * @jest-environment node
 */
import { GET as metricsRoute } from "@/app/metrics/route";
import * as note from "@/app/api/notes/[id]/route";
import * as notes from "@/app/api/notes/route";
import { loadNewestNotes } from "@/lib/newest-notes";
import { frontendMetrics } from "@/lib/metrics";

let fetchMock: jest.SpyInstance;

beforeEach(() => {
  process.env.BACKEND_URL = "http://backend.test:8080";
  fetchMock = jest.spyOn(global, "fetch");
  jest.spyOn(console, "log").mockImplementation(() => undefined);
  jest.spyOn(console, "error").mockImplementation(() => undefined);
  frontendMetrics().registry.resetMetrics();
});

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.BACKEND_URL;
});

async function scrape(): Promise<{ response: Response; text: string }> {
  const response = await metricsRoute();
  return { response, text: await response.text() };
}

// A sample line `name{labels} value` of the Prometheus text format, or undefined.
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  it("answers in the Prometheus text format with the process's own series", async () => {
    const { response, text } = await scrape();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain("# TYPE frontend_http_request_duration_seconds histogram");
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it("counts each API request by method, route pattern and status", async () => {
    fetchMock
      .mockResolvedValueOnce(Response.json({ id: 1 }, { status: 201 }))
      .mockResolvedValueOnce(Response.json({ error: "not_found" }, { status: 404 }))
      .mockResolvedValueOnce(Response.json({ error: "not_found" }, { status: 404 }));

    await notes.POST(new Request("http://127.0.0.1:3000/api/notes", { method: "POST", body: "{}" }));
    for (const id of ["7", "8"]) {
      await note.GET(new Request(`http://127.0.0.1:3000/api/notes/${id}`), {
        params: Promise.resolve({ id }),
      });
    }
    const { text } = await scrape();

    const count = 'frontend_http_request_duration_seconds_count{method="POST",route="/api/notes",status="201"}';
    expect(sample(text, count)).toBe(1);
    const byPattern = 'frontend_http_request_duration_seconds_count{method="GET",route="/api/notes/[id]",status="404"}';
    expect(sample(text, byPattern)).toBe(2);
    expect(text).not.toContain('route="/api/notes/7"');
  });

  it("counts a request the backend never answered as the gateway error it got", async () => {
    fetchMock.mockRejectedValue(new TypeError("fetch failed"));

    await notes.GET(new Request("http://127.0.0.1:3000/api/notes"));
    const { text } = await scrape();

    const count = 'frontend_http_request_duration_seconds_count{method="GET",route="/api/notes",status="502"}';
    expect(sample(text, count)).toBe(1);
  });

  it("counts page renders by how the page's backend call went", async () => {
    fetchMock
      .mockResolvedValueOnce(Response.json([]))
      .mockRejectedValueOnce(new TypeError("fetch failed"))
      .mockResolvedValueOnce(new Response("oops", { status: 500 }));

    for (let i = 0; i < 3; i += 1) await loadNewestNotes(new Headers());
    const { text } = await scrape();

    for (const outcome of ["ok", "backend_unavailable", "backend_error"]) {
      expect(sample(text, `frontend_page_renders_total{outcome="${outcome}"}`)).toBe(1);
    }
  });
});
