// Drives the dashboard's group pages in chromium: the Evolution instance's
// QR code while it is connecting and the page switching once it is open,
// then a group tenant's relevance threshold changed. Prints what it saw as
// one JSON object for tests/e2e/test_dashboard_browser.py.
//   node groups.mjs BASE_URL ADMIN_TOKEN SHOTS_DIR INSTANCE GROUP_TENANT THRESHOLD
import { launch, loggedIn } from "./browser.mjs";

const [base, token, shots, instance, groupTenant, threshold] = process.argv.slice(2);
const seen = {};
const errors = [];

const browser = await launch();
try {
  const page = await loggedIn(browser, base, token, errors);

  // While the instance is connecting the page draws its QR code, and looks
  // again until the instance is open.
  await page.goto(base + "/dashboard/#/evolution");
  const card = `#view section[data-instance="${instance}"]`;
  await page.waitForSelector(card + " svg.qr");
  seen.connecting_state = await page.textContent(card + " strong");
  seen.qr_modules = await page.$$eval(card + " svg.qr path", (paths) =>
    paths.map((p) => (p.getAttribute("d").match(/M/g) || []).length).reduce((a, b) => a + b, 0));
  seen.pairing_code = await page.textContent(card + " code");
  await page.screenshot({ path: shots + "/evolution-qr.png", fullPage: true });
  await page.waitForSelector(`${card}[data-state="open"]`);
  seen.open_state = await page.textContent(card + " strong");
  seen.qr_after_open = await page.$$eval(card + " svg.qr", (svgs) => svgs.length);
  await page.screenshot({ path: shots + "/evolution-open.png", fullPage: true });

  // The group's threshold, changed in its tenant page.
  await page.goto(base + "/dashboard/#/tenant/" + encodeURIComponent(groupTenant));
  await page.waitForSelector("#field-relevance_threshold");
  await page.fill("#field-relevance_threshold", threshold);
  await page.click("#save");
  await page.waitForSelector("#saved:text-matches('^Saved')");
  seen.threshold_saved = await page.textContent("#saved");
  await page.screenshot({ path: shots + "/tenant-group.png", fullPage: true });
  seen.errors = errors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
