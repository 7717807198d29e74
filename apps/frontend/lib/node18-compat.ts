/**
 * Debian 12's Node 18 takes `fetch` and `Headers` from Debian's own undici package (5.15), which
 * predates `Headers.prototype.getSetCookie` (undici 5.19; Node 19.7 and the upstream 18.x builds
 * have it). Next 15's `headers()` binds that method unconditionally, so every page that reads
 * request headers fails there with "Cannot read properties of undefined (reading 'bind')"
 * (vercel/next.js#72462). Install the method where it is missing; nowhere else.
 */

type HeadersLike = { prototype: { get(name: string): string | null; getSetCookie?: () => string[] } };

/**
 * Give `headersClass` a getSetCookie if it lacks one. Returns true if it was installed.
 *
 * This undici joins several Set-Cookie values into one string; the method returns it as one
 * entry, which is what Next's own fallback (`getSetCookie?.() ?? get("set-cookie")`) reads and
 * splits. Request headers, which `headers()` wraps, carry no Set-Cookie at all.
 */
export function installGetSetCookie(headersClass: HeadersLike = Headers as unknown as HeadersLike): boolean {
  if (typeof headersClass.prototype.getSetCookie === "function") return false;
  Object.defineProperty(headersClass.prototype, "getSetCookie", {
    configurable: true,
    writable: true,
    value: function getSetCookie(this: { get(name: string): string | null }): string[] {
      const joined = this.get("set-cookie");
      return joined === null ? [] : [joined];
    },
  });
  return true;
}
