/**
 * jsdom has no fetch or Response; components only read `ok`, `status` and `json()`, so tests
 * answer with this much.
 */
export function fakeJsonResponse(status: number, body: unknown): Response {
  return {
    ok: status >= 200 && status < 300,
    status,
    json: async () => body,
  } as Response;
}
