// Fails the build when the JavaScript of the first load (the entry script and what it preloads) passes
// the budget, gzipped. Lazy screens are not counted: they load when the user opens them.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 200 * 1024;
const dist = new URL("../dist/", import.meta.url);
const html = readFileSync(new URL("index.html", dist), "utf8");
const initial = new Set(
  [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/?([^"]+\.js)"/g)].map((m) => m[1]),
);
const gz = (file) => gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length;
let first = 0;
for (const file of initial) first += gz(file);
const all = readdirSync(new URL("assets/", dist)).filter((f) => f.endsWith(".js"));
const total = all.reduce((sum, f) => sum + gz(`assets/${f}`), 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`first-load JS: ${kb(first)} gzipped in ${initial.size} file(s) (budget ${kb(BUDGET)}); all JS: ${kb(total)} in ${all.length} chunks`);
if (initial.size === 0) {
  console.error("check-size: no entry script found in dist/index.html");
  process.exit(1);
}
if (first > BUDGET) {
  console.error(`check-size: first-load JS ${kb(first)} is over the ${kb(BUDGET)} budget`);
  process.exit(1);
}
