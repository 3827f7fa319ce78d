// Browser test of the panel's Registrations page in real headless Chromium, with axe-core.
// Started by tests/api/panel_browser.rs, which passes:
//   MQ_ADMIN_LINK  a fresh one-time admin link of the site
//   MQ_PENDING     the e-mail of a registrant waiting for approval
//   MQ_ARTIFACTS   where screenshots go
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifacts, assertAccessible, env, launchChromium } from "./support.mjs";

test("an owner sees a registrant on the Registrations page and approves a pending one", async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.setDefaultTimeout(15000);
    const email = env("MQ_PENDING");

    await page.goto(env("MQ_ADMIN_LINK"));
    // From the meeting's row in the Meetings list to its registrations.
    await page.getByRole("link", { name: "Meetings", exact: true }).click();
    await page.getByRole("link", { name: /Registrants: 1/ }).first().click();
    assert.match(page.url(), /\/admin\/registrations\?meeting=\d+$/);
    const row = page.locator("tr", { hasText: email });
    assert.match(await row.textContent(), /Waiting for approval/);
    await assertAccessible(page, "registrations");
    await page.screenshot({ path: join(artifacts, "panel-registrations.png"), fullPage: true });

    // Approve: done at Zoom, then the list shows it approved (with the keyboard focus kept
    // working: the button is reachable by its name).
    await row.getByRole("button", { name: /^Approve/ }).click();
    assert.match(await page.locator("tr", { hasText: email }).textContent(), /Approved/);
    await assertAccessible(page, "registrations, approved");

    // The overall list, filtered by status.
    await page.getByRole("link", { name: "Registrations", exact: true }).click();
    await page.selectOption("#status", "approved");
    await page.getByRole("button", { name: "Show" }).click();
    assert.match(await page.locator("tbody").textContent(), new RegExp(email.replace(".", "\\.")));
  } finally {
    await browser.close();
  }
});
