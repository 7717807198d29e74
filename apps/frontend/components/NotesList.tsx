import type { Note } from "@/lib/notes";

/** The notes, newest first, or a line saying there are none yet. */
export function NotesList({ notes }: { notes: readonly Note[] }) {
  if (notes.length === 0) {
    return <p data-testid="notes-empty">No notes yet.</p>;
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
