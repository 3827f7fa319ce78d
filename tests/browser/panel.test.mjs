// Browser test of the owner's admin panel in real headless Chromium (Debian's, driven by
// playwright-core), with axe-core checking every page. Started by tests/api/panel_browser.rs,
// which runs Marquee and the Zoom simulator with a connected site, and passes:
//   MQ_ADMIN_LINK  a fresh one-time admin link of the site
//   MQ_ADMIN_LINK_2  another one, for the second part of the tour
//   MQ_SITE        the site's slug
//   MQ_HIDE_TOPIC  the topic of an upcoming meeting to hide
//   MQ_ARTIFACTS   where screenshots go (copies are kept in docs/screenshots/)
//   MQ_CHROMIUM    the browser binary (default /usr/bin/chromium)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { artifacts, env, launchChromium } from "./support.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core on the page (and its frames) and fails on any serious or critical violation. */
async function assertAccessible(page, what) {
  for (const frame of page.frames()) await frame.evaluate(AXE);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const described = bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(described, [], `${what}: axe found serious or critical violations`);
  const minor = results.violations.map((v) => `${v.impact} ${v.id} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`).join(", ") || "none";
  console.log(`axe ${what}: 0 serious or critical (others: ${minor})`);
}

async function shoot(page, name) {
  await page.screenshot({ path: join(artifacts, name), fullPage: true });
}

/** The preview widget's background colour, once its frame shows `expected` in its address. */
async function previewBackground(page, expected) {
  const frameOf = () => page.frames().find((f) => f.url().includes("/embed/"));
  for (let i = 0; i < 100; i++) {
    const frame = frameOf();
    if (frame && frame.url().includes(expected)) {
      await frame.waitForSelector("h1");
      return frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    }
    await page.waitForTimeout(100);
  }
  assert.fail(`the preview never showed ${expected}: ${frameOf() && frameOf().url()}`);
}

test("an owner opens an admin link, changes what the site shows, and hides a meeting", async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.setDefaultTimeout(15000);
    const site = env("MQ_SITE");
    const topic = env("MQ_HIDE_TOPIC");

    // The admin link signs in and lands on the overview.
    await page.goto(env("MQ_ADMIN_LINK"));
    assert.match(page.url(), /\/admin$/);
    assert.match(await page.locator("main").textContent(), /Connected as/);
    await assertAccessible(page, "overview");
    await shoot(page, "panel-overview.png");

    // Keyboard: the first Tab reaches the skip link, which leads to the main content.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.className), "skip");

    // What the site shows: the preview follows the theme before saving.
    await page.getByRole("link", { name: "What the site shows" }).click();
    assert.match(page.url(), /\/admin\/site$/);
    await assertAccessible(page, "what the site shows");
    const light = await previewBackground(page, `/embed/${site}/meetings`);
    await page.selectOption("#theme", "dark");
    const dark = await previewBackground(page, "theme=dark");
    assert.notEqual(dark, light, "the preview turned dark");
    await page.fill("#accent_color", "#ff8800");
    await previewBackground(page, "accent=%23ff8800");

    // A refused change: the problem beside its field, nothing saved.
    await page.fill("#allowed_origins", "https://studio.example/classes");
    await page.getByLabel("Cloud recordings").uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    const problem = page.locator("#allowed_origins-error");
    assert.match(await problem.textContent(), /https:\/\/studio\.example\/classes/);
    assert.equal(await page.getAttribute("#allowed_origins", "aria-invalid"), "true");
    assert.equal(await page.inputValue("#theme"), "dark", "what was chosen is kept");
    assert.equal(await previewBackground(page, "theme=dark"), dark, "and the preview shows it");
    await assertAccessible(page, "what the site shows, with problems");
    await shoot(page, "panel-site-problems.png");

    // Fixed and saved: the notice, and the preview shows the saved (dark) settings.
    await page.fill("#allowed_origins", "https://studio.example");
    await page.getByRole("button", { name: "Save" }).click();
    assert.match(page.url(), /\/admin\/site\?saved=1$/);
    assert.match(await page.locator(".notice").textContent(), /Saved/);
    assert.equal(await page.getByLabel("Cloud recordings").isChecked(), false);
    assert.equal(await previewBackground(page, `/embed/${site}/meetings`), dark);
    await shoot(page, "panel-site.png");

    // Meetings: hide one; it stays listed, marked, and the search finds it again.
    await page.getByRole("link", { name: "Meetings", exact: true }).click();
    await assertAccessible(page, "meetings");
    await shoot(page, "panel-meetings.png");
    const row = page.locator("tr", { hasText: topic });
    await row.getByRole("button", { name: `Hide “${topic}”` }).click();
    assert.match(await page.locator("tr", { hasText: topic }).textContent(), /Hidden/);
    await page.fill("#q", topic.split(" ")[0].toLowerCase());
    await page.getByRole("button", { name: "Search" }).click();
    const rows = page.locator("tbody tr");
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().textContent(), new RegExp(`${topic}[\\s\\S]*Hidden`));
    assert.equal(await rows.first().getByRole("button", { name: `Show “${topic}”` }).count(), 1);
    await assertAccessible(page, "meetings, searched");
    await shoot(page, "panel-meetings-search.png");
    await page.goto(new URL(`/embed/${site}/meetings`, page.url()).toString());
    assert.doesNotMatch(await page.locator("body").textContent(), new RegExp(topic), "hidden on the site");

    await page.goBack();
    await page.getByRole("link", { name: "Past" }).click();
    await assertAccessible(page, "past meetings");

    await page.getByRole("link", { name: "Recordings" }).click();
    assert.equal(await page.locator("tbody tr").count(), 2);
    await assertAccessible(page, "recordings");
    await shoot(page, "panel-recordings.png");

    // The panel in German, for an owner whose browser prefers it.
    const german = await browser.newContext({ locale: "de-DE", viewport: { width: 1200, height: 900 } });
    const cookies = await page.context().cookies();
    await german.addCookies(cookies);
    const de = await german.newPage();
    await de.goto(new URL("/admin", page.url()).toString());
    assert.equal(await de.getAttribute("html", "lang"), "de");
    assert.match(await de.locator("nav").textContent(), /Was die Website zeigt/);
    await assertAccessible(de, "overview in German");
    await shoot(de, "panel-overview-de.png");
  } finally {
    await browser.close();
  }
});

/** Serves whatever `page()` returns on a fresh loopback port: the owner's own site. */
async function ownSite(page) {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Waits until `check()` is true (polling), or fails saying `what`. */
async function until(page, what, check) {
  for (let i = 0; i < 150; i++) {
    if (await check()) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`never: ${what}`);
}

// The second part of the tour; the first hid MQ_HIDE_TOPIC.
test("the owner embeds a widget on their own site, syncs, disconnects and reconnects", async () => {
  const browser = await launchChromium();
  let pasted = "<!doctype html><title>empty</title>";
  const site = await ownSite(() => pasted);
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    const topic = env("MQ_HIDE_TOPIC");
    await page.goto(env("MQ_ADMIN_LINK_2"));
    const marquee = new URL(page.url()).origin;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: marquee });

    // The owner adds their site's web address beside the one they have.
    await page.getByRole("link", { name: "What the site shows" }).click();
    const origins = await page.inputValue("#allowed_origins");
    await page.fill("#allowed_origins", `${origins}\n${site.origin}`);
    await page.getByRole("button", { name: "Save" }).click();
    assert.match(page.url(), /saved=1$/);

    // Embed: the script snippet first, copied with its button.
    await page.getByRole("link", { name: "Embed" }).click();
    assert.match(page.url(), /\/admin\/embed$/);
    assert.match(await page.locator("main").textContent(), new RegExp(site.origin.replace(/\./g, "\\.")));
    await assertAccessible(page, "embed");
    await shoot(page, "panel-embed.png");
    const snippet = await page.inputValue("#script-meetings");
    assert.match(snippet, /<script src="[^"]+\/embed\.js" data-site="studio" data-widget="meetings"/);
    await page.locator('button[data-copy="script-meetings"]').click();
    await until(page, "the copy is confirmed", async () =>
      (await page.locator('button[data-copy="script-meetings"] + [role=status]').textContent()) === "Copied.");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, snippet);

    // Pasted on the owner's own page (another origin): the widget renders and fits its height.
    pasted = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Our studio</title></head>
<body style="font-family:sans-serif;max-width:760px;margin:2rem auto"><h1>Our classes</h1>${copied}</body></html>`;
    const own = await context.newPage();
    await own.goto(site.origin + "/");
    const frame = own.locator('iframe[data-marquee-widget="meetings"]');
    await frame.waitFor();
    const widget = own.frames().find((f) => f.url().includes("/embed/studio/meetings"));
    assert.ok(widget, "the widget's frame");
    await widget.waitForSelector("h1");
    assert.match(await widget.locator("body").textContent(), /Evening calm/);
    assert.doesNotMatch(await widget.locator("body").textContent(), new RegExp(topic), "the hidden meeting stays hidden");
    // The snippet's frame starts at its reserved height (data-height), then fits its content.
    const fit = async () => {
      const height = await frame.evaluate((f) => f.getBoundingClientRect().height);
      const content = await widget.evaluate(() => document.documentElement.scrollHeight);
      return { height, content, fits: Math.abs(height - content) <= 2 };
    };
    await until(own, "the frame fits its content", async () => (await fit()).fits);
    const { height, content } = await fit();
    assert.ok(Math.abs(height - content) <= 2, `frame ${height}px for ${content}px of content`);
    await own.close();

    // Sync now: queued, then its progress until it finished (the page refreshes itself).
    await page.getByRole("link", { name: "Sync", exact: true }).click();
    await assertAccessible(page, "sync");
    await page.getByRole("button", { name: "Sync now" }).click();
    assert.match(await page.locator(".notice").textContent(), /Sync started|already waiting/);
    await until(page, "the sync finished", async () =>
      (await page.locator("#job-state").textContent()).trim() === "Finished");
    assert.match(await page.locator("#job-progress").textContent(), /^(\d+) of \1 steps$/);
    await assertAccessible(page, "sync, finished");
    await shoot(page, "panel-sync.png");

    // Disconnect asks first; confirmed, the site is not connected.
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("link", { name: "Disconnect Zoom" }).click();
    assert.match(page.url(), /\/admin\/zoom\/disconnect$/);
    assert.match(await page.locator("main").textContent(), /The meetings and recordings you hid/);
    await assertAccessible(page, "disconnect");
    await shoot(page, "panel-disconnect.png");
    await page.getByRole("button", { name: "Yes, disconnect Zoom" }).click();
    assert.match(page.url(), /\/admin$/);
    assert.match(await page.locator("main").textContent(), /Not connected/);

    // Reconnect through Zoom's consent page: the hidden meeting is still hidden.
    await page.getByRole("button", { name: "Connect Zoom" }).click();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(/\/admin$/);
    assert.match(await page.locator("main").textContent(), /Connected as/);
    await page.getByRole("link", { name: "Meetings", exact: true }).click();
    assert.match(await page.locator("tr", { hasText: topic }).textContent(), /Hidden/);
  } finally {
    site.server.close();
    await browser.close();
  }
});
