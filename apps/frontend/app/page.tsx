import { headers } from "next/headers";
import { BackendNotice } from "@/components/BackendNotice";
import { Counter } from "@/components/Counter";
import { NotesBoard } from "@/components/NotesBoard";
import { loadNewestNotes } from "@/lib/newest-notes";

// Notes change with every request; never prerender this page at build time.
export const dynamic = "force-dynamic";

export default async function HomePage() {
  const newest = await loadNewestNotes(await headers());
  return (
    <main>
      <h1 data-testid="title">paws notes</h1>
      <Counter />
      {newest.ok ? null : <BackendNotice message={newest.notice} />}
      <NotesBoard initialNotes={newest.ok ? newest.notes : null} />
    </main>
  );
}
