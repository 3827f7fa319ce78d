// Every widget and state a visitor can meet, in real headless Chromium (Debian's, driven by
// playwright-core). Started by tests/api/widgets_browser.rs, which runs Marquee and the Zoom
// simulator, sets up the sites and passes:
//   MQ_BASE           Marquee's URL; site "studio" has meetings, a series, questions, recordings;
//                     site "quiet" has none and keeps its recordings private
//   MQ_SIM            the simulator's URL (its control API arms faults)
//   MQ_SINGLE, MQ_SERIES, MQ_ASKED  a single meeting, a weekly series, one with custom questions
//   MQ_HINTED_PAGE, MQ_UNHINTED_PAGE  pages embedding the list with and without data-height
//   MQ_API_KEY        an admin API key of "studio"; MQ_ADMIN_LINK a one-time panel sign-in link
//   MQ_ARTIFACTS      where screenshots go (copies are kept in docs/screenshots/widget-*.png)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifacts, assertAccessible, env, launchChromium } from "./support.mjs";

const base = env("MQ_BASE");
const studio = `${base}/embed/studio`;
const [single, series, asked] = ["MQ_SINGLE", "MQ_SERIES", "MQ_ASKED"].map(env);

async function withPage(fn, viewport = { width: 720, height: 900 }) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport });
    page.setDefaultTimeout(15000);
    return await fn(page);
  } finally {
    await browser.close();
  }
}

async function shoot(page, name) {
  await page.screenshot({ path: join(artifacts, name), fullPage: true });
}

/** The simulator's control API. */
async function sim(method, path, body) {
  const resp = await fetch(`${env("MQ_SIM")}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  assert.ok(resp.ok, `${method} ${path}: ${resp.status}`);
}

/** Tab until `selector` has the focus (at most `max` presses); fails if it never does. */
async function tabTo(page, selector, max = 20) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
  }
  assert.fail(`${selector} is not reachable with Tab`);
}

/** The focused element shows a visible focus ring. */
async function assertFocusVisible(page) {
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.ok(ring.style !== "none" && ring.width >= 2, `focus ring ${JSON.stringify(ring)}`);
}

/** Fills the form's names and e-mail with the keyboard only, from the page's top. */
async function typeVisitor(page, email, first = "Grace") {
  await tabTo(page, "#mq-first");
  await assertFocusVisible(page);
  await page.keyboard.type(first);
  await page.keyboard.press("Tab");
  await page.keyboard.type("Hopper");
  await page.keyboard.press("Tab");
  await page.keyboard.type(email);
}

const STATES = [
  ["meetings", "/meetings"],
  ["meetings-compact", "/meetings?layout=compact"],
  ["webinars", "/webinars"],
  ["meeting-form", `/meetings/${asked}`],
  ["meeting-series", `/meetings/${series}`],
  ["recordings", "/recordings"],
  ["recordings-compact", "/recordings?layout=compact"],
];
const NOTICES = [
  ["notice-empty", `${base}/embed/quiet/meetings`, 200],
  ["notice-feature-off", `${base}/embed/quiet/recordings`, 404],
  ["notice-no-site", `${base}/embed/no-such-site/meetings`, 404],
  ["notice-gone", `${studio}/meetings/424242`, 404],
  ["notice-bad-option", `${studio}/meetings?per_page=500`, 400],
];

// One test per language and theme, so each stays well inside node's per-test timeout.
for (const [lang, theme] of [["en", "light"], ["en", "dark"], ["de", "light"], ["de", "dark"]]) {
  test(`axe-core finds nothing serious on any widget or notice (${lang}, ${theme})`, async () => {
    await withPage(async (page) => {
      const q = `lang=${lang}&theme=${theme}`;
      for (const [name, path] of STATES) {
        const url = `${studio}${path}${path.includes("?") ? "&" : "?"}${q}`;
        const resp = await page.goto(url);
        assert.equal(resp.status(), 200, url);
        await assertAccessible(page, `${name} ${lang} ${theme}`);
        if (lang === "en") await shoot(page, `widget-${name}-${theme}.png`);
      }
      for (const [name, url, status] of NOTICES) {
        const resp = await page.goto(`${url}${url.includes("?") ? "&" : "?"}${q}`);
        assert.equal(resp.status(), status, url);
        assert.equal(await page.locator(".mq-notice, .mq-empty").count(), 1, `${name}: a friendly notice`);
        await assertAccessible(page, `${name} ${lang} ${theme}`);
        if (lang === "en" && theme === "light") await shoot(page, `widget-${name}.png`);
      }
      // The form with a refusal shown: announced, tied to its field.
      await page.goto(`${studio}/meetings/${single}?${q}`);
      await page.fill("#mq-first", "   ");
      await page.fill("#mq-last", "Hopper");
      await page.fill("#mq-email", `axe-${lang}-${theme}@example.com`);
      await page.click("button[type=submit]");
      await page.locator("#mq-result").waitFor({ state: "visible" });
      assert.equal(await page.getAttribute("#mq-first", "aria-invalid"), "true");
      assert.equal(await page.getAttribute("#mq-first", "aria-describedby"), "mq-result");
      assert.equal(await page.getAttribute("#mq-result", "aria-live"), "polite");
      assert.equal(await page.evaluate(() => document.activeElement.id), "mq-first", "focus on the field at fault");
      await assertAccessible(page, `form with errors ${lang} ${theme}`);
      if (lang === "en") await shoot(page, `widget-form-errors-${theme}.png`);
      // The notices speak the visitor's language.
      await page.goto(`${studio}/meetings?per_page=500&lang=${lang}`);
      assert.match(await page.locator("h1").textContent(), lang === "de" ? /nicht richtig eingerichtet/ : /not set up correctly/);
    });
  });
}

test("a visitor registers with the keyboard alone, once, again, on a series' date and with questions", async () => {
  await withPage(async (page) => {
    // Questions on the first view.
    await page.goto(`${studio}/meetings/${asked}`);
    assert.equal(await page.locator("#mq-question_0").count(), 1, "the custom question is there at once");
    assert.match(await page.locator("label[for=mq-question_0]").textContent(), /Your level/);
    await shoot(page, "widget-questions-first-view.png");

    // Keyboard only: Tab to the fields, type, Enter sends.
    await page.goto(`${studio}/meetings/${single}`);
    await typeVisitor(page, "keys@example.com");
    await page.keyboard.press("Enter");
    const result = page.locator("#mq-result");
    await result.waitFor({ state: "visible" });
    assert.match(await result.textContent(), /You are registered/);
    assert.equal(await result.getAttribute("role"), "status");
    await shoot(page, "widget-registered.png");

    // The same e-mail again: said so, and no sentence about a link that is not shown.
    await page.goto(`${studio}/meetings/${single}`);
    await typeVisitor(page, "keys@example.com");
    await page.keyboard.press("Enter");
    await result.waitFor({ state: "visible" });
    const text = await result.textContent();
    assert.match(text, /You are already registered/);
    assert.doesNotMatch(text, /Use your personal link to join:/);
    await shoot(page, "widget-repeat-registration.png");

    // A series: one card in the list; registering picks the second date with the keyboard.
    await page.goto(`${studio}/meetings`);
    assert.equal(await page.locator("h2", { hasText: "Weekly yoga" }).count(), 1, "the series is one card");
    await page.goto(`${studio}/meetings/${series}`);
    await typeVisitor(page, "series@example.com");
    await tabTo(page, "#mq-occurrence");
    await assertFocusVisible(page);
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.inputValue("#mq-occurrence"), "1700000000001");
    await shoot(page, "widget-series-choice.png");
    await tabTo(page, "button[type=submit]");
    await assertFocusVisible(page);
    await page.keyboard.press("Enter");
    await result.waitFor({ state: "visible" });
    assert.match(await result.textContent(), /You are registered/);

    // Zoom unreachable while registering: a clear refusal in the widget, the form kept.
    await sim("POST", "/_sim/faults", { method: "POST", path: "/v2/meetings/{meetingId}/registrants",
      kind: "status", status: 503, count: 10 });
    await page.goto(`${studio}/meetings/${single}`);
    await typeVisitor(page, "down@example.com");
    await page.keyboard.press("Enter");
    await result.waitFor({ state: "visible" });
    assert.match(await result.textContent(), /Registration not possible/);
    assert.match(await result.textContent(), /We cannot reach Zoom right now, so your registration was not sent/);
    assert.ok(await page.locator("form.mq-form").isVisible(), "the form stays for another try");
    await assertAccessible(page, "zoom unreachable on register");
    await shoot(page, "widget-zoom-unreachable.png");
    // In German too, with and without JavaScript.
    await page.goto(`${studio}/meetings/${single}?lang=de`);
    await typeVisitor(page, "weg@example.com");
    await page.keyboard.press("Enter");
    await result.waitFor({ state: "visible" });
    assert.match(await result.textContent(), /Zoom ist gerade nicht erreichbar/);
    const plain = await page.context().browser().newContext({ javaScriptEnabled: false });
    const noJs = await plain.newPage();
    noJs.setDefaultTimeout(15000);
    await noJs.goto(`${studio}/meetings/${single}?lang=de`);
    await noJs.fill("#mq-first", "Ada");
    await noJs.fill("#mq-last", "Lovelace");
    await noJs.fill("#mq-email", "ohne-js@example.com");
    const [answer] = await Promise.all([noJs.waitForResponse((r) => r.url().includes("/register")),
      noJs.click("button[type=submit]")]);
    assert.equal(answer.status(), 503);
    assert.match(await noJs.locator("main").textContent(), /Anmeldung nicht möglich[\s\S]*Zoom ist gerade nicht erreichbar/);
    // (axe needs JavaScript in the page; the same page with it is checked above.)
    await plain.close();
    await sim("DELETE", "/_sim/faults");
  });
});

/** The embedding page's layout-shift score until the widget has its final height. */
async function shiftOf(page, url) {
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(url);
  const frame = page.locator("iframe[data-marquee-widget]");
  await frame.waitFor();
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const h = await frame.evaluate((f) => f.getBoundingClientRect().height);
    const inner = await (await frame.elementHandle()).contentFrame()
      .then((f) => f.evaluate(() => document.documentElement.getBoundingClientRect().height)).catch(() => 0);
    if (inner > 0 && Math.abs(h - Math.ceil(inner)) <= 1 && h === last) break;
    last = h;
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(300);
  return { shift: await page.evaluate(() => window.__shift), height: last };
}

test("the embedding page does not shift when embed.js fits the widget, given the snippet's height", async () => {
  const hinted = await withPage((page) => shiftOf(page, env("MQ_HINTED_PAGE")));
  const unhinted = await withPage((page) => shiftOf(page, env("MQ_UNHINTED_PAGE")));
  console.log(`layout shift with data-height: ${hinted.shift.toFixed(4)} (widget ${hinted.height}px); without: ${unhinted.shift.toFixed(4)}`);
  // 0.1 is the web's "good"; what remains is the last fit from the hint to the exact height.
  assert.ok(hinted.shift < 0.05, `with the hint the page barely moves: ${hinted.shift}`);
  assert.ok(unhinted.shift > hinted.shift, "the hint is what keeps it still");
  await withPage(async (page) => {
    await page.goto(env("MQ_HINTED_PAGE"));
    await page.locator("iframe[data-marquee-widget]").waitFor();
    await page.waitForTimeout(500);
    await shoot(page, "widget-embedded-compact.png");
  });
});

test("a low-contrast accent is refused by the settings API and the panel", async () => {
  await withPage(async (page) => {
    const resp = await page.request.patch(`${base}/api/v1/admin/site-settings`, {
      headers: { Authorization: `Bearer ${env("MQ_API_KEY")}` },
      data: { accent_color: "#ffff66" },
    });
    assert.equal(resp.status(), 400);
    const body = await resp.json();
    assert.equal(body.error.field, "accent_color");
    assert.match(body.error.message, /contrast/i);

    await page.goto(env("MQ_ADMIN_LINK"));
    await page.goto(`${base}/admin/site`);
    await page.fill("#accent_color", "#ffff66");
    await page.getByRole("button", { name: "Save" }).click();
    const problem = page.locator("#accent_color-error");
    assert.match(await problem.textContent(), /contrast/i);
    assert.equal(await page.getAttribute("#accent_color", "aria-invalid"), "true");
    await assertAccessible(page, "panel: accent refused");
    await shoot(page, "widget-accent-refused-panel.png");
    // The widget keeps its readable accent.
    await page.goto(`${studio}/meetings?accent=%23ffff66`);
    const accent = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--mq-accent").trim());
    assert.equal(accent, "#0b5cff");
  });
});
