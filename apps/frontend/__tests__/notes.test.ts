import { mergeNotes, parseNotes } from "@/lib/notes";

const a = { id: 1, text: "a", created_at: "2026-12-01T10:00:00Z" };
const b = { id: "2", text: "b", created_at: "2026-12-01T10:00:01Z" };

describe("parseNotes", () => {
  it.each([
    ["a JSON array", [a, b]],
    ["an object with a notes array", { notes: [a, b] }],
  ])("reads %s", (_label, body) => {
    expect(parseNotes(body)).toEqual([a, b]);
  });

  it.each([
    ["null", null],
    ["a string", "oops"],
    ["an object without notes", { items: [a] }],
    ["an item without text", [{ id: 1, created_at: "2026-12-01T10:00:00Z" }]],
  ])("rejects %s", (_label, body) => {
    expect(parseNotes(body)).toBeNull();
  });
});

describe("mergeNotes", () => {
  it("puts the page's own notes first and shows each id once", () => {
    const fresh = { id: 3, text: "c", created_at: "2026-12-01T10:00:02Z" };
    expect(mergeNotes([fresh, a], [a, b])).toEqual([fresh, a, b]);
  });

  it("treats a numeric and a string id as the same note", () => {
    expect(mergeNotes([{ ...b, id: 2 }], [b])).toHaveLength(1);
  });
});
