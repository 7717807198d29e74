/**
 * A fresh idempotency key for one write, as a UUID (the backend uses it as the note's id). The
 * browser makes it before the first try, so the backend can store a retried write once.
 */
export function newIdempotencyKey(): string {
  // randomUUID exists only in secure contexts (https, localhost, 127.0.0.1); a page opened
  // over plain http on a LAN address builds the same version-4 UUID from random bytes.
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
