import { newIdempotencyKey } from "@/lib/idempotency";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newIdempotencyKey", () => {
  it("is a version-4 UUID, the form the backend accepts", () => {
    expect(newIdempotencyKey()).toMatch(UUID_V4);
  });

  it("is still a version-4 UUID where crypto.randomUUID is missing (plain http)", () => {
    const randomUUID = jest.spyOn(crypto, "randomUUID");
    Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
    try {
      const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()));

      expect([...keys].every((key) => UUID_V4.test(key))).toBe(true);
      expect(keys.size).toBe(50);
    } finally {
      randomUUID.mockRestore();
    }
  });
});
