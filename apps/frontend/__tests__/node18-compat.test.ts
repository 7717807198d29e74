/**
 * @jest-environment node
 */
import { installGetSetCookie } from "@/lib/node18-compat";

// A Headers class like Debian 12's undici 5.15: set-cookie values joined, no getSetCookie.
function oldHeadersClass(values: Record<string, string>) {
  return class {
    get(name: string): string | null {
      return values[name] ?? null;
    }
  };
}

describe("installGetSetCookie", () => {
  it("adds getSetCookie where Headers lacks it", () => {
    const OldHeaders = oldHeadersClass({ "set-cookie": "a=1, b=2" });

    expect(installGetSetCookie(OldHeaders)).toBe(true);

    const headers = new OldHeaders() as unknown as Headers;
    expect(headers.getSetCookie()).toEqual(["a=1, b=2"]);
  });

  it("answers an empty list without a Set-Cookie header", () => {
    const OldHeaders = oldHeadersClass({});
    installGetSetCookie(OldHeaders);

    expect((new OldHeaders() as unknown as Headers).getSetCookie()).toEqual([]);
  });

  it("lets the method be bound, as Next's headers() does", () => {
    const OldHeaders = oldHeadersClass({ "set-cookie": "a=1" });
    installGetSetCookie(OldHeaders);
    const headers = new OldHeaders() as unknown as Headers;

    const bound = headers.getSetCookie.bind(headers);

    expect(bound()).toEqual(["a=1"]);
  });

  // A class of its own, not the runtime's Headers: Debian's Node 18 (the images', and the CI
  // runner's) has no native getSetCookie, the host's Node 20 has one.
  it("leaves an existing getSetCookie alone", () => {
    class NewHeaders {
      get(): string | null {
        return null;
      }
      getSetCookie(): string[] {
        return ["native"];
      }
    }
    const native = NewHeaders.prototype.getSetCookie;

    expect(installGetSetCookie(NewHeaders)).toBe(false);
    expect(NewHeaders.prototype.getSetCookie).toBe(native);
  });
});
