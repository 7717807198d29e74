"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { type Note, mergeNotes } from "@/lib/notes";
import { NoteForm } from "./NoteForm";
import { NotesList } from "./NotesList";

/**
 * The form and the list together. A new note shows at once from the POST's answer (a replica may
 * not have it yet); the refresh then brings the server's list, merged so each note shows once.
 * `initialNotes` is null when the server could not load them.
 */
export function NotesBoard({ initialNotes }: { initialNotes: readonly Note[] | null }) {
  const router = useRouter();
  const [created, setCreated] = useState<Note[]>([]);

  function onCreated(note: Note) {
    setCreated((previous) => [note, ...previous]);
    router.refresh();
  }

  return (
    <section aria-label="Notes">
      <NoteForm onCreated={onCreated} />
      <NotesList notes={mergeNotes(created, initialNotes ?? [])} known={initialNotes !== null} />
    </section>
  );
}
