// Browser test of the embeddable widgets in real headless Chromium (Debian's, driven by
// playwright-core). Started by tests/api/embedding.rs, which runs Marquee, the Zoom simulator
// and two "third-party" sites on other loopback origins, and passes their URLs:
//   MQ_ALLOWED_PAGE  a page whose origin the site allows; it embeds two widgets with embed.js
//   MQ_DENIED_PAGE   a page on an origin the site does not allow; it frames the widget directly
//   MQ_ARTIFACTS     where screenshots go
//   MQ_CHROMIUM      the browser binary (default /usr/bin/chromium)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifacts, env, launchChromium } from "./support.mjs";


async function withBrowser(fn) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
    page.setDefaultTimeout(15000);
    return await fn(page);
  } finally {
    await browser.close();
  }
}

/** The iframe's height in CSS pixels and the height of the document inside it. */
async function heights(page, selector) {
  const outer = await page.$eval(selector, (f) => f.getBoundingClientRect().height);
  const frame = await (await page.$(selector)).contentFrame();
  const inner = await frame.evaluate(() => document.documentElement.getBoundingClientRect().height);
  return { outer, inner, frame };
}

async function waitForFit(page, selector) {
  for (let i = 0; i < 100; i++) {
    const { outer, inner } = await heights(page, selector);
    if (outer !== 320 && Math.abs(outer - Math.ceil(inner)) <= 1) return { outer, inner };
    await page.waitForTimeout(100);
  }
  const { outer, inner } = await heights(page, selector);
  assert.fail(`iframe ${selector} did not resize to its content: iframe ${outer}px, content ${inner}px`);
}

test("a third-party page embeds widgets that resize, and a visitor registers", async () => {
  await withBrowser(async (page) => {
    await page.goto(env("MQ_ALLOWED_PAGE"));
    const meetings = 'iframe[data-marquee-widget="meetings"]';
    const recordings = 'iframe[data-marquee-widget="recordings"]';
    await page.waitForSelector(meetings);
    await page.waitForSelector(recordings);
    assert.equal(await page.locator("a[data-marquee-fallback]").count(), 0, "fallback links replaced");

    const fitted = await waitForFit(page, meetings);
    await waitForFit(page, recordings);
    const { frame } = await heights(page, meetings);
    await frame.waitForSelector("h1");
    assert.equal(await frame.locator("h1").first().textContent(), "Upcoming meetings");
    const recFrame = (await heights(page, recordings)).frame;
    assert.equal(await recFrame.locator("h1").first().textContent(), "Aufzeichnungen");
    await page.screenshot({ path: join(artifacts, "embedded-widgets.png"), fullPage: true });

    // Open the meeting inside the iframe and register.
    await frame.locator("a", { hasText: "Details and registration" }).first().click();
    await frame.waitForSelector("form.mq-form");
    await waitForFit(page, meetings);
    await frame.fill("#mq-first", "Grace");
    await frame.fill("#mq-last", "Hopper");
    await frame.fill("#mq-email", "grace.browser@example.com");
    await page.locator(meetings).screenshot({ path: join(artifacts, "meeting-form.png") });
    await frame.click("button[type=submit]");
    const result = frame.locator("#mq-result");
    await result.waitFor({ state: "visible" });
    assert.match(await result.textContent(), /You are registered/);
    assert.equal(await frame.locator("#mq-result a").getAttribute("target"), "_blank");
    assert.ok(await frame.locator("form.mq-form").isHidden(), "the form gives way to the result");
    const after = await waitForFit(page, meetings);
    assert.notEqual(after.outer, fitted.outer, "resized again after the content changed");
    await page.locator(meetings).screenshot({ path: join(artifacts, "registration-result.png") });
  });
});

test("a page on an origin the site does not allow cannot frame the widget", async () => {
  await withBrowser(async (page) => {
    const refusals = [];
    page.on("console", (msg) => {
      if (/frame-ancestors|Refused to frame/i.test(msg.text())) refusals.push(msg.text());
    });
    await page.goto(env("MQ_DENIED_PAGE"));
    await page.waitForSelector("iframe#direct");
    for (let i = 0; i < 50 && refusals.length === 0; i++) await page.waitForTimeout(100);
    const frame = await (await page.$("iframe#direct")).contentFrame();
    const text = frame ? await frame.evaluate(() => document.body ? document.body.innerText : "").catch(() => "") : "";
    console.log("blocked frame:", frame && frame.url(), JSON.stringify(text.slice(0, 200)));
    assert.ok(!text.includes("Upcoming meetings"), "the widget did not render inside the foreign page");
    assert.match(frame ? frame.url() : "chrome-error://", /^chrome-error:/, "Chromium replaced the frame with its error page");
    assert.ok(refusals.length > 0, "Chromium reported the frame-ancestors refusal");
    await page.screenshot({ path: join(artifacts, "denied-origin.png") });
  });
});
