"use client";

import { type FormEvent, useState } from "react";
import { newIdempotencyKey } from "@/lib/idempotency";
import { type Note, isNote } from "@/lib/notes";

type Props = { onCreated: (note: Note) => void };

/** Posts a note to the frontend's own /api/notes and hands the stored note to `onCreated`. */
export function NoteForm({ onCreated }: Props) {
  const [text, setText] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed || pending) return;
    setPending(true);
    setError(null);
    try {
      const note = await postNote(trimmed);
      setText("");
      onCreated(note);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="note-form" data-testid="note-form" onSubmit={submit}>
      <input
        data-testid="note-input"
        aria-label="New note"
        placeholder="Write a note"
        maxLength={1000}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" data-testid="note-submit" disabled={pending || !text.trim()}>
        {pending ? "Adding…" : "Add note"}
      </button>
      {error ? (
        <p className="error" role="alert" data-testid="note-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}

async function postNote(text: string): Promise<Note> {
  const response = await fetch("/api/notes", {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": newIdempotencyKey() },
    body: JSON.stringify({ text }),
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new Error(failureMessage(response.status, body));
  if (!isNote(body)) throw new Error("The backend's answer was not a note.");
  return body;
}

// The gateway's own errors carry `message`; the backend's problem details carry `detail`.
function failureMessage(status: number, body: unknown): string {
  const { message, detail } = (body ?? {}) as { message?: unknown; detail?: unknown };
  const reason = [message, detail].find((value) => typeof value === "string");
  return `Could not add the note (${status}${reason ? `: ${reason}` : ""}).`;
}
