import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { NotesBoard } from "@/components/NotesBoard";
import { fakeJsonResponse } from "./fake-response";

const refresh = jest.fn();
jest.mock("next/navigation", () => ({ useRouter: () => ({ refresh }) }));

const older = { id: 1, text: "older", created_at: "2026-12-01T10:00:00Z" };
const added = { id: 2, text: "just added", created_at: "2026-12-01T10:05:00Z" };

beforeEach(() => {
  refresh.mockReset();
  global.fetch = jest.fn().mockResolvedValue(fakeJsonResponse(201, added));
});

async function addNote(text: string) {
  const user = userEvent.setup();
  await user.type(screen.getByTestId("note-input"), text);
  await user.click(screen.getByTestId("note-submit"));
}

describe("NotesBoard", () => {
  it("shows a posted note at the top of the list at once and refreshes the server's list", async () => {
    render(<NotesBoard initialNotes={[older]} />);

    await addNote("just added");

    const items = screen.getAllByTestId("note");
    expect(items.map((item) => item.firstChild?.textContent)).toEqual(["just added", "older"]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("shows a note once when the refreshed server list also has it", async () => {
    const { rerender } = render(<NotesBoard initialNotes={[older]} />);
    await addNote("just added");

    rerender(<NotesBoard initialNotes={[added, older]} />);

    expect(screen.getAllByTestId("note")).toHaveLength(2);
  });

  it("replaces the empty state with the first note", async () => {
    render(<NotesBoard initialNotes={[]} />);
    expect(screen.getByTestId("notes-empty")).toBeInTheDocument();

    await addNote("just added");

    expect(screen.queryByTestId("notes-empty")).not.toBeInTheDocument();
    expect(screen.getByTestId("note")).toHaveTextContent("just added");
  });

  it("shows notes added while the server's list is unknown, without an empty state", async () => {
    render(<NotesBoard initialNotes={null} />);
    expect(screen.queryByTestId("notes-empty")).not.toBeInTheDocument();

    await addNote("just added");

    expect(screen.getByTestId("note")).toHaveTextContent("just added");
  });
});
