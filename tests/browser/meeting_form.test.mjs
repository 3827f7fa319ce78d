// Browser test of the panel's New- and Edit-meeting forms in real headless Chromium, with
// axe-core.
// Started by tests/api/panel_browser.rs (the meeting form test), which runs Marquee and the
// Zoom simulator with a connected site, and passes:
//   MQ_ADMIN_LINK  a fresh one-time admin link of the site
//   MQ_SITE        the site's slug
//   MQ_DATE        a date a few days ahead (YYYY-MM-DD)
//   MQ_ARTIFACTS   where screenshots go (a copy is kept in docs/screenshots/)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { artifacts, env, launchChromium } from "./support.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Fails on any serious or critical axe-core violation of the page. */
async function assertAccessible(page, what) {
  await page.evaluate(AXE);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const described = bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(described, [], `${what}: axe found serious or critical violations`);
  console.log(`axe ${what}: 0 serious or critical`);
}

test("an owner creates a weekly meeting with registration and a question, edits it, and sees both in the widget", async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.setDefaultTimeout(15000);
    const site = env("MQ_SITE");
    await page.goto(env("MQ_ADMIN_LINK"));
    assert.match(page.url(), /\/admin$/);

    // From the Meetings list to the form.
    await page.goto(new URL("/admin/meetings", page.url()).href);
    await page.getByRole("link", { name: "New meeting" }).click();
    assert.match(page.url(), /\/admin\/meetings\/new$/);
    assert.equal(await page.getByLabel("Time zone").inputValue(), "UTC");
    await assertAccessible(page, "new meeting form");

    // A weekly meeting on Tuesdays and Thursdays, four times, with registration.
    await page.getByLabel("Topic", { exact: true }).fill("Browser pottery");
    await page.getByLabel("Date", { exact: true }).fill(env("MQ_DATE"));
    await page.getByLabel("Start time").fill("18:30");
    await page.getByLabel("Time zone").selectOption("Europe/Berlin");
    await page.getByLabel("Repeat", { exact: true }).selectOption("weekly");
    await page.getByLabel("Tuesday").check();
    await page.getByLabel("Thursday").check();
    await page.getByLabel("After this many meetings").fill("4");
    await page.getByLabel("Registration", { exact: true }).selectOption("automatic");
    // A custom question of their own: one of two answers, required.
    await page.locator("#q0_title").fill("Level");
    await page.locator("#q0_type").selectOption("single");
    await page.locator("#q0_answers").fill("Beginner\nPro");
    await page.locator("#q0_required").check();

    // First a duration of 0: the message is next to the field, which says it is invalid.
    await page.getByLabel("Duration (minutes)").fill("0");
    await page.getByRole("button", { name: "Create meeting" }).click();
    const duration = page.getByLabel("Duration (minutes)");
    assert.equal(await duration.getAttribute("aria-invalid"), "true");
    assert.match(await duration.getAttribute("aria-describedby"), /duration-error/);
    assert.match(await page.locator("#duration-error").textContent(), /1 to 1440 minutes/);
    assert.equal(await page.getByLabel("Topic", { exact: true }).inputValue(), "Browser pottery", "kept");
    assert.ok(await page.getByLabel("Thursday").isChecked(), "kept");
    await assertAccessible(page, "new meeting form with an error");
    await page.screenshot({ path: join(artifacts, "panel-new-meeting.png"), fullPage: true });

    await duration.fill("60");
    await page.getByRole("button", { name: "Create meeting" }).click();
    assert.match(page.url(), /\/admin\/meetings\?created=1$/);
    assert.match(await page.getByRole("status").textContent(), /Meeting created/);
    assert.match(await page.locator("main").textContent(), /Browser pottery/);

    // Edit: the form opens as Zoom has it; the topic changes.
    await page.getByRole("link", { name: "Edit: Browser pottery" }).click();
    const id = page.url().match(/\/admin\/meetings\/(\d+)\/edit$/)[1];
    assert.equal(await page.getByLabel("Topic", { exact: true }).inputValue(), "Browser pottery");
    assert.equal(await page.getByLabel("Repeat", { exact: true }).inputValue(), "weekly");
    assert.ok(await page.getByLabel("Thursday").isChecked());
    assert.equal(await page.locator("#q0_title").inputValue(), "Level");
    assert.equal(await page.locator("#q0_answers").inputValue(), "Beginner\nPro");
    await assertAccessible(page, "edit meeting form");
    await page.screenshot({ path: join(artifacts, "panel-edit-meeting.png"), fullPage: true });
    await page.getByLabel("Topic", { exact: true }).fill("Browser ceramics");
    await page.getByRole("button", { name: "Save changes" }).click();
    assert.match(page.url(), /\/admin\/meetings\?updated=1$/);
    assert.match(await page.getByRole("status").textContent(), /Meeting updated/);

    // The visitors' widget shows the new topic at once, and the question on its form.
    await page.goto(new URL(`/embed/${site}/meetings`, page.url()).href);
    const widget = await page.locator("body").textContent();
    assert.match(widget, /Browser ceramics/);
    assert.doesNotMatch(widget, /Browser pottery/);
    await page.goto(new URL(`/embed/${site}/meetings/${id}`, page.url()).href);
    const form = await page.locator("body").textContent();
    assert.match(form, /Level/);
    assert.match(form, /Beginner/);
  } finally {
    await browser.close();
  }
});
