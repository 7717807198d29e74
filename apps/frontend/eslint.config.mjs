// eslint-config-next 15 still ships eslintrc-style configs; FlatCompat adapts them to ESLint 9.
// (`next lint` is deprecated in Next 15.5, so `npm run lint` calls eslint directly.)
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FlatCompat } from "@eslint/eslintrc";

const compat = new FlatCompat({ baseDirectory: dirname(fileURLToPath(import.meta.url)) });

const config = [
  { ignores: [".next/**", "node_modules/**", "coverage/**", "next-env.d.ts"] },
  ...compat.extends("next/core-web-vitals", "next/typescript"),
];

export default config;
