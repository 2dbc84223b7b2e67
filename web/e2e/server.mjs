// Starts a real `phuket serve` on SQLite for the end-to-end tests: a fresh data directory, migrated
// and seeded, on a free port of 127.0.0.1. PHUKET_BIN overrides the command (default: the repo's .venv).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const WEB = resolve(import.meta.dirname, "..");
const BIN = process.env.PHUKET_BIN ?? resolve(WEB, "..", ".venv", "bin", "phuket");

function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

export async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), "phuket-e2e-"));
  const env = {
    ...process.env,
    PHUKET_ENV: "development",
    PHUKET_DATA_DIR: dataDir,
    PHUKET_DATABASE_URL: `sqlite+aiosqlite:///${join(dataDir, "e2e.db")}`,
    PHUKET_WEB_DIST_DIR: resolve(WEB, "dist"),
    PHUKET_LOG_LEVEL: "WARNING",
  };
  for (const key of Object.keys(env)) {
    // No provider keys or external services: every provider runs on its documented fallback.
    if (/^PHUKET_(REDIS_URL|.*_API_KEY|STRIPE_.*|SENTRY_DSN|FIREBASE_.*)$/.test(key)) delete env[key];
  }
  for (const args of [["db", "upgrade"], ["seed", "--if-empty"]]) {
    const result = spawnSync(BIN, args, { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`phuket ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  }
  const port = await freePort();
  const child = spawn(BIN, ["serve", "--host", "127.0.0.1", "--port", String(port)], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`phuket serve exited (${child.exitCode}):\n${stderr}`);
    try {
      if ((await fetch(`${baseURL}/health/live`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`phuket serve did not answer within 30 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseURL,
    dataDir,
    logs: () => stderr,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
