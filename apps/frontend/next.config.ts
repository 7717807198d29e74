import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The production image copies .next/standalone (server.js plus the traced node_modules),
  // .next/static and public/ and runs `node server.js`: no npm install inside the image.
  output: "standalone",
  // Trace from this directory, not from a parent that happens to hold another lockfile,
  // so that server.js sits at the top of .next/standalone.
  outputFileTracingRoot: __dirname,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
