/** Notes as the backend returns them, and the pure logic both sides of the page share. */

export type Note = {
  id: string | number;
  text: string;
  created_at: string;
};

/** How many notes the home page shows. */
export const NEWEST_NOTES_LIMIT = 20;

/** A value shaped like a note. */
export function isNote(value: unknown): value is Note {
  if (typeof value !== "object" || value === null) return false;
  const { id, text, created_at } = value as Record<string, unknown>;
  return (
    (typeof id === "string" || typeof id === "number") &&
    typeof text === "string" &&
    typeof created_at === "string"
  );
}

/**
 * The notes in a `GET /api/notes` body: a JSON array, or an object with a `notes` array.
 * Returns null for anything else, so a changed contract shows as a notice, not a crash.
 */
export function parseNotes(body: unknown): Note[] | null {
  const list = Array.isArray(body) ? body : (body as { notes?: unknown } | null)?.notes;
  if (!Array.isArray(list)) return null;
  return list.every(isNote) ? list : null;
}

/** Notes created in this page first, then the server's, each id once. */
export function mergeNotes(created: readonly Note[], fromServer: readonly Note[]): Note[] {
  const seen = new Set<string>();
  const merged: Note[] = [];
  for (const note of [...created, ...fromServer]) {
    const key = String(note.id);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(note);
  }
  return merged;
}
