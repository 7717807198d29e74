import { proxyToBackend } from "@/lib/backend";

export const dynamic = "force-dynamic";

/** The newest notes: `GET /api/notes?limit=N`, answered by the backend from a replica. */
export function GET(request: Request): Promise<Response> {
  return proxyToBackend(request, "/api/notes");
}

/** Add a note: `POST /api/notes` with `{"text": "..."}`; an Idempotency-Key header passes through. */
export function POST(request: Request): Promise<Response> {
  return proxyToBackend(request, "/api/notes");
}
