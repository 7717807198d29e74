import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { NoteForm } from "@/components/NoteForm";
import { fakeJsonResponse } from "./fake-response";

const stored = { id: 7, text: "hello paws", created_at: "2026-12-01T10:00:00Z" };

let fetchMock: jest.Mock;

beforeEach(() => {
  fetchMock = jest.fn();
  global.fetch = fetchMock;
});

function requestOf(call: number): { url: string; init: RequestInit } {
  const [url, init] = fetchMock.mock.calls[call];
  return { url, init };
}

describe("NoteForm", () => {
  it("posts the trimmed text as JSON to the frontend's /api/notes", async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValue(fakeJsonResponse(201, stored));
    render(<NoteForm onCreated={jest.fn()} />);

    await user.type(screen.getByTestId("note-input"), "  hello paws  ");
    await user.click(screen.getByTestId("note-submit"));

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const { url, init } = requestOf(0);
    expect(url).toBe("/api/notes");
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual({ text: "hello paws" });
    const headers = init.headers as Record<string, string>;
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["idempotency-key"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("hands the stored note on and clears the input", async () => {
    const user = userEvent.setup();
    const onCreated = jest.fn();
    fetchMock.mockResolvedValue(fakeJsonResponse(201, stored));
    render(<NoteForm onCreated={onCreated} />);

    await user.type(screen.getByTestId("note-input"), "hello paws");
    await user.click(screen.getByTestId("note-submit"));

    expect(onCreated).toHaveBeenCalledWith(stored);
    expect(screen.getByTestId("note-input")).toHaveValue("");
  });

  it("sends a new idempotency key with each note", async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValue(fakeJsonResponse(201, stored));
    render(<NoteForm onCreated={jest.fn()} />);

    await user.type(screen.getByTestId("note-input"), "one{Enter}");
    await user.type(screen.getByTestId("note-input"), "two{Enter}");

    const keys = [0, 1].map((i) => (requestOf(i).init.headers as Record<string, string>)["idempotency-key"]);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it("shows the gateway's error and keeps the text when the backend is down", async () => {
    const user = userEvent.setup();
    const onCreated = jest.fn();
    fetchMock.mockResolvedValue(
      fakeJsonResponse(502, { error: "backend_unreachable", message: "the backend is not reachable" }),
    );
    render(<NoteForm onCreated={onCreated} />);

    await user.type(screen.getByTestId("note-input"), "kept");
    await user.click(screen.getByTestId("note-submit"));

    expect(screen.getByTestId("note-error")).toHaveTextContent("Could not add the note (502: the backend is not reachable).");
    expect(screen.getByTestId("note-input")).toHaveValue("kept");
    expect(onCreated).not.toHaveBeenCalled();
  });

  it("shows the backend's problem detail for a rejected note", async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValue(
      fakeJsonResponse(422, { title: "Unprocessable Entity", status: 422, detail: "Idempotency-Key already used" }),
    );
    render(<NoteForm onCreated={jest.fn()} />);

    await user.type(screen.getByTestId("note-input"), "again{Enter}");

    expect(screen.getByTestId("note-error")).toHaveTextContent("Could not add the note (422: Idempotency-Key already used).");
  });

  it("does not post an empty note", async () => {
    const user = userEvent.setup();
    render(<NoteForm onCreated={jest.fn()} />);

    await user.type(screen.getByTestId("note-input"), "   ");

    expect(screen.getByTestId("note-submit")).toBeDisabled();
    await user.type(screen.getByTestId("note-input"), "{Enter}");
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
