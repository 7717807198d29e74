import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { Counter } from "@/components/Counter";

function Page({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main>
      <h1 data-testid="title">{title}</h1>
      {children}
    </main>
  );
}

describe("Counter", () => {
  it("starts at zero and counts each click", async () => {
    const user = userEvent.setup();
    render(<Counter />);
    const counter = screen.getByTestId("counter");
    expect(counter).toHaveTextContent("count: 0");

    await user.click(counter);
    await user.click(counter);
    await user.click(counter);

    expect(counter).toHaveTextContent("count: 3");
  });

  it("keeps its count when the page around it re-renders with new content", async () => {
    const user = userEvent.setup();
    const { rerender } = render(
      <Page title="before">
        <Counter />
      </Page>,
    );
    await user.click(screen.getByTestId("counter"));
    await user.click(screen.getByTestId("counter"));

    rerender(
      <Page title="after">
        <Counter />
      </Page>,
    );

    expect(screen.getByTestId("title")).toHaveTextContent("after");
    expect(screen.getByTestId("counter")).toHaveTextContent("count: 2");
  });

  it("holds one count per instance", async () => {
    const user = userEvent.setup();
    render(
      <>
        <Counter />
        <Counter />
      </>,
    );
    const [first, second] = screen.getAllByTestId("counter");

    await user.click(first);

    expect(first).toHaveTextContent("count: 1");
    expect(second).toHaveTextContent("count: 0");
  });
});
