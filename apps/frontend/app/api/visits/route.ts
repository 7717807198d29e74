import { proxyToBackend } from "@/lib/backend";

export const dynamic = "force-dynamic";

/** Count a visit: `POST /api/visits` -> `{"count": n}`, a Redis INCR in the backend. */
export function POST(request: Request): Promise<Response> {
  return proxyToBackend(request, "/api/visits");
}
