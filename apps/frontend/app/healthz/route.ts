export const dynamic = "force-dynamic";

/**
 * Liveness of the frontend process alone, for the container healthcheck. It does not call the
 * backend: a database failover must not mark the frontend unhealthy and restart it.
 */
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
