import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The production image copies .next/standalone (server.js plus the traced node_modules),
  // .next/static and public/ and runs `node server.js`: no npm install inside the image.
  output: "standalone",
  // Trace from this directory, not from a parent that happens to hold another lockfile,
  // so that server.js sits at the top of .next/standalone.
  outputFileTracingRoot: __dirname,
  // The page uses no next/image and the config is compiled at build time, so the image
  // optimiser (sharp with libvips, ~19 MB) and TypeScript (~9 MB) need not ship in the image.
  outputFileTracingExcludes: {
    "*": ["node_modules/sharp/**", "node_modules/@img/**", "node_modules/typescript/**"],
  },
  // `paws-stack dev` runs `next dev` with NEXT_DIST_DIR=.next-dev, so dev output never
  // mixes with the production build's .next.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // The dev server is reached as 127.0.0.1 through the published port (HMR included).
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
