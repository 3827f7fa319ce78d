// Launching Debian's Chromium for the browser tests: headless, a fresh profile, and no traffic
// of its own (updates, sync, QUIC) off the loopback network.
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
