// What the browser tests share: launching Debian's Chromium (headless, a fresh profile, no
// traffic of its own — updates, sync, QUIC — off the loopback network), the variables the Rust
// side passes, and where screenshots go.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
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
