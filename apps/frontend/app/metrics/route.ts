import { frontendMetrics } from "@/lib/metrics";

export const dynamic = "force-dynamic";

/** Prometheus text format: what `nox -s metrics` and the observability profile scrape. */
export async function GET(): Promise<Response> {
  const { registry } = frontendMetrics();
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
}
