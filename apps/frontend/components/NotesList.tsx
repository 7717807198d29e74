import type { Note } from "@/lib/notes";

type Props = {
  notes: readonly Note[];
  /** False when the server's notes could not be loaded: then an empty list proves nothing. */
  known?: boolean;
};

/** The notes, newest first, or a line saying there are none yet. */
export function NotesList({ notes, known = true }: Props) {
  if (notes.length === 0) {
    return known ? <p data-testid="notes-empty">No notes yet.</p> : null;
  }
  return (
    <ul className="notes" data-testid="notes">
      {notes.map((note) => (
        <li key={String(note.id)} data-testid="note">
          {note.text}
          <time dateTime={note.created_at}>{note.created_at}</time>
        </li>
      ))}
    </ul>
  );
}
