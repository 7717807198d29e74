/** Server-side loading of the home page's notes. */
import {
  BackendUnavailableError,
  TRACE_HEADERS,
  backendFetch,
  forwardedHeaders,
  logBackendFailure,
} from "./backend";
import { countPageRender } from "./metrics";
import { logJson, traceFor, withTrace } from "./trace";
import { NEWEST_NOTES_LIMIT, type Note, parseNotes } from "./notes";

export type NewestNotes =
  | { ok: true; notes: Note[] }
  | { ok: false; notice: string };

/**
 * The newest notes, or a notice saying why there are none to show. Never throws for a backend
 * that is down or misbehaving: the page renders either way.
 */
export async function loadNewestNotes(incoming: Headers, limit = NEWEST_NOTES_LIMIT): Promise<NewestNotes> {
  let response: Response;
  // The page request's trace (the caller's, or one started here) reaches the backend.
  const trace = traceFor(incoming);
  try {
    response = await backendFetch(`/api/notes?limit=${limit}`, {
      headers: withTrace(forwardedHeaders(incoming, TRACE_HEADERS), trace),
    });
    logJson("info", "page backend call", { path: "/api/notes", status: response.status, trace_id: trace.traceId });
  } catch (error) {
    if (error instanceof BackendUnavailableError) {
      logBackendFailure(error, trace);
      countPageRender("backend_unavailable");
      return { ok: false, notice: "The backend is not reachable right now; notes will show once it is back." };
    }
    throw error;
  }
  if (!response.ok) {
    countPageRender("backend_error");
    return { ok: false, notice: `The backend answered ${response.status}; notes are not available.` };
  }
  const notes = parseNotes(await response.json().catch(() => null));
  if (notes === null) {
    countPageRender("backend_error");
    return { ok: false, notice: "The backend's notes could not be read." };
  }
  countPageRender("ok");
  return { ok: true, notes };
}
