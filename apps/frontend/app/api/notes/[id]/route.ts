import { proxyToBackend } from "@/lib/backend";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/** One note: `GET /api/notes/{id}`, 200 or the backend's 404. */
export async function GET(request: Request, { params }: Context): Promise<Response> {
  const { id } = await params;
  return proxyToBackend(request, `/api/notes/${encodeURIComponent(id)}`, "/api/notes/[id]");
}
