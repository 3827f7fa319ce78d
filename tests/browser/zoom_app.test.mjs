// The Zoom App as the Zoom client shows it, in real headless Chromium: the Zoom user agent and a
// simulator-made `x-zoom-app-context` on the home load (as the client sends it), the site's
// meetings listed, a meeting created with the no-JavaScript form that then appears in the
// site's widget, axe-core on the home and on the refusal outside Zoom. Zoom's SDK loader is
// blocked (loopback only): the pages work without it. Started by tests/api/zoom_app.rs with:
//   MQ_BASE     Marquee's URL; MQ_SLUG the host's site; MQ_TOPIC one of its meetings
//   MQ_CONTEXT  a fresh context header for the host
//   MQ_ARTIFACTS where screenshots go (copies are kept in docs/screenshots/zoomapp-*.png)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifacts, assertAccessible, env, launchChromium } from "./support.mjs";

const base = env("MQ_BASE");
const slug = env("MQ_SLUG");
const ZOOM_UA = "Mozilla/5.0 ZoomWebKit/537.36 (KHTML, like Gecko) ZoomApps/1.0";

async function withPage(fn, options = {}) {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 480, height: 900 }, ...options });
    await context.route("https://appssdk.zoom.us/**", (route) => route.abort());
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    return await fn(page);
  } finally {
    await browser.close();
  }
}

const shoot = (page, name) => page.screenshot({ path: join(artifacts, name), fullPage: true });

test("the home inside Zoom lists the site's meetings and creates one the widget shows", async () => {
  await withPage(async (page) => {
    // The context goes on the home load only, as the Zoom client sends it.
    await page.setExtraHTTPHeaders({ "x-zoom-app-context": env("MQ_CONTEXT") });
    const resp = await page.goto(`${base}/zoomapp/home`);
    await page.setExtraHTTPHeaders({});
    assert.equal(resp.status(), 200);
    for (const h of ["strict-transport-security", "x-content-type-options", "content-security-policy", "referrer-policy"]) {
      assert.ok(resp.headers()[h], `${h} on the home`);
    }
    await page.locator("#meetings").getByText(env("MQ_TOPIC")).waitFor();
    await assertAccessible(page, "Zoom App home");
    await shoot(page, "zoomapp-home.png");

    const start = new Date(Date.now() + 4 * 86400000).toISOString().slice(0, 16);
    await page.getByLabel("Topic").fill("Made inside Zoom");
    await page.getByLabel("Start (local time)").fill(start);
    await page.getByRole("button", { name: "Create meeting" }).click();
    await page.getByRole("status").getByText("Meeting created.").waitFor();
    await page.locator("#meetings").getByText("Made inside Zoom").waitFor();
    assert.ok(page.url().endsWith(`/zoomapp/sites/${slug}?created=1`), page.url());
    await assertAccessible(page, "Zoom App after creating a meeting");
    await shoot(page, "zoomapp-created.png");

    await page.goto(`${base}/embed/${slug}/meetings`);
    await page.getByText("Made inside Zoom").first().waitFor();
  }, { userAgent: ZOOM_UA });
});

test("outside the Zoom client the home says to open it inside Zoom", async () => {
  await withPage(async (page) => {
    const resp = await page.goto(`${base}/zoomapp/home`);
    assert.equal(resp.status(), 401);
    await page.getByRole("heading", { name: "Open this inside Zoom" }).waitFor();
    await assertAccessible(page, "Zoom App outside Zoom");
    await shoot(page, "zoomapp-outside.png");
  });
});
