/**
 * @jest-environment node
 */
import { loadNewestNotes } from "@/lib/newest-notes";

const note = { id: 1, text: "a", created_at: "2026-12-01T10:00:00Z" };
let fetchMock: jest.SpyInstance;

beforeEach(() => {
  process.env.BACKEND_URL = "http://backend.test:8080";
  fetchMock = jest.spyOn(global, "fetch");
  jest.spyOn(console, "error").mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.BACKEND_URL;
});

describe("loadNewestNotes", () => {
  it("asks for the newest 20 with the page request's trace context", async () => {
    fetchMock.mockResolvedValue(Response.json([note]));
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    const result = await loadNewestNotes(new Headers({ traceparent, cookie: "s=1" }));

    expect(result).toEqual({ ok: true, notes: [note] });
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("http://backend.test:8080/api/notes?limit=20");
    expect(Object.fromEntries(new Headers(init.headers))).toEqual({ traceparent });
  });

  it("returns a notice instead of throwing when the backend is unreachable", async () => {
    fetchMock.mockRejectedValue(new TypeError("fetch failed"));

    const result = await loadNewestNotes(new Headers());

    expect(result).toEqual({ ok: false, notice: expect.stringContaining("not reachable") });
  });

  it("returns a notice naming the status of a failed answer", async () => {
    fetchMock.mockResolvedValue(Response.json({ error: "x" }, { status: 503 }));

    const result = await loadNewestNotes(new Headers());

    expect(result).toEqual({ ok: false, notice: expect.stringContaining("503") });
  });

  it("returns a notice when the answer is not a list of notes", async () => {
    fetchMock.mockResolvedValue(new Response("<html>proxy error</html>", { status: 200 }));

    const result = await loadNewestNotes(new Headers());

    expect(result).toEqual({ ok: false, notice: expect.stringContaining("could not be read") });
  });
});
