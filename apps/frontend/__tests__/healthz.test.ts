/**
 * @jest-environment node
 */
import { GET } from "@/app/healthz/route";

describe("GET /healthz", () => {
  it("answers 200 ok without asking the backend", async () => {
    const fetchMock = jest.spyOn(global, "fetch");

    const response = GET();

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(fetchMock).not.toHaveBeenCalled();
    fetchMock.mockRestore();
  });
});
