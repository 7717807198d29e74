/**
 * A fresh idempotency key for one write. The browser makes it before the first try, so the
 * backend can store a retried write once.
 */
export function newIdempotencyKey(): string {
  // randomUUID exists only in secure contexts (https, localhost, 127.0.0.1); a page opened
  // over plain http on a LAN address falls back to random bytes.
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
