import { render, screen } from "@testing-library/react";
import { NotesList } from "@/components/NotesList";

describe("NotesList", () => {
  it("renders one item per note, in the order given", () => {
    render(
      <NotesList
        notes={[
          { id: 2, text: "second", created_at: "2026-12-01T10:00:02Z" },
          { id: 1, text: "first", created_at: "2026-12-01T10:00:01Z" },
        ]}
      />,
    );

    const items = screen.getAllByTestId("note");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("second");
    expect(items[1]).toHaveTextContent("first");
    expect(screen.queryByTestId("notes-empty")).not.toBeInTheDocument();
  });

  it("says so when there are no notes", () => {
    render(<NotesList notes={[]} />);

    expect(screen.getByTestId("notes-empty")).toHaveTextContent("No notes yet.");
    expect(screen.queryAllByTestId("note")).toHaveLength(0);
  });

  it("claims no empty state when the server's notes are unknown", () => {
    const { container } = render(<NotesList notes={[]} known={false} />);

    expect(screen.queryByTestId("notes-empty")).not.toBeInTheDocument();
    expect(container).toBeEmptyDOMElement();
  });
});
