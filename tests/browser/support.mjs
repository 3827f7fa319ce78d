// What the browser tests share: launching Debian's Chromium (headless, a fresh profile, no
// traffic of its own — updates, sync, QUIC — off the loopback network), the variables the Rust
// side passes, and where screenshots go.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.MQ_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ARGS,
  });
}

/** The value of a variable the test needs. */
export function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is set`);
  return value;
}

/** Where screenshots go (made if missing). */
export const artifacts = process.env.MQ_ARTIFACTS || "tests/artifacts";
mkdirSync(artifacts, { recursive: true });

/** Runs axe-core on the page (and its frames) and fails on any serious or critical violation.
 * (panel.test.mjs keeps its own copy until it is moved here.) */
export async function assertAccessible(page, what) {
  const axe = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  for (const frame of page.frames()) await frame.evaluate(axe);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const described = bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(described, [], `${what}: axe found serious or critical violations`);
  console.log(`axe ${what}: 0 serious or critical`);
}
