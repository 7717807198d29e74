"use client";

import { useState } from "react";

/**
 * Purely client-side state. Kept in its own module so that editing page.tsx leaves this
 * component's Fast Refresh boundary, and so its count, untouched.
 */
export function Counter() {
  const [count, setCount] = useState(0);
  return (
    <button type="button" data-testid="counter" onClick={() => setCount((n) => n + 1)}>
      count: {count}
    </button>
  );
}
