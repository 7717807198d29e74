/**
 * The frontend's Prometheus metrics, served by `/metrics` (app/metrics/route.ts): the API
 * requests it answered (rate, latency, status), how page renders went, and the Node.js process
 * itself (prom-client's default metrics: CPU, memory, event-loop lag).
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type PageOutcome = "ok" | "backend_unavailable" | "backend_error";

export type FrontendMetrics = {
  registry: Registry;
  /** One observation per proxied API request, in seconds. */
  requests: Histogram<"method" | "route" | "status">;
  /** One count per rendered home page, by how its backend call went. */
  pageRenders: Counter<"outcome">;
};

// One set per process, kept on globalThis: `next dev` re-evaluates changed modules, and a
// second registration of the same metric names would throw.
type Holder = { __pawsFrontendMetrics?: FrontendMetrics };

// Latency buckets for requests through the backend to PostgreSQL/Redis: 5 ms .. 35 s (the
// backend timeout, DEFAULT_TIMEOUT_MS in lib/backend.ts).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 35];

function created(): FrontendMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Histogram({
      name: "frontend_http_request_duration_seconds",
      help: "API requests the frontend answered (proxied to the backend), by route and status",
      labelNames: ["method", "route", "status"],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    pageRenders: new Counter({
      name: "frontend_page_renders_total",
      help: "Home page renders, by the outcome of the page's backend call",
      labelNames: ["outcome"],
      registers: [registry],
    }),
  };
}

/** The process's metrics, created on first use. */
export function frontendMetrics(): FrontendMetrics {
  const holder = globalThis as Holder;
  const existing = holder.__pawsFrontendMetrics;
  if (existing) return existing;
  const fresh = created();
  holder.__pawsFrontendMetrics = fresh;
  return fresh;
}

/** Record one API request: `route` is the route's pattern (`/api/notes/[id]`), not the path. */
export function observeRequest(method: string, route: string, status: number, seconds: number): void {
  frontendMetrics().requests.observe({ method, route, status: String(status) }, seconds);
}

export function countPageRender(outcome: PageOutcome): void {
  frontendMetrics().pageRenders.inc({ outcome });
}
