/** Runs once when a Next server starts, before it renders anything. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { installGetSetCookie } = await import("./lib/node18-compat");
    installGetSetCookie();
  }
}
