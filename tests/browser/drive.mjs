// Drives Debian's chromium (headless, via playwright-core) through parley's
// dashboard as an operator would, and prints what it saw as one JSON object
// for tests/e2e/test_dashboard_browser.py to judge. Screenshots of each page
// go to SHOTS.
//   node drive.mjs BASE_URL ADMIN_TOKEN SHOTS_DIR CHAT API_TENANT
import { launch, timeout } from "./browser.mjs";

const [base, token, shots, chat, apiTenant] = process.argv.slice(2);
const seen = {};

const browser = await launch();
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text() + " at " + m.location().url);
  });

  // Without a session the dashboard sends to the log-in.
  await page.goto(base + "/dashboard/");
  seen.first_url = new URL(page.url()).pathname;
  await page.screenshot({ path: shots + "/login.png" });

  // A wrong token first, then the right one.
  await page.fill("#token", "not-the-token");
  await page.click("button[type=submit]");
  seen.wrong_token = await page.textContent(".error");
  await page.fill("#token", token);
  await Promise.all([page.waitForURL(base + "/dashboard/"), page.click("button[type=submit]")]);
  await page.waitForSelector("#view h1");
  errors.length = 0;  // the wrong token's 401 was meant
  seen.overview_title = await page.textContent("#view h1");
  seen.overview_status = await page.textContent("#view p strong");
  await page.screenshot({ path: shots + "/overview.png", fullPage: true });

  // The conversations, one transcript, its trace.
  await page.goto(base + "/dashboard/#/conversations");
  await page.waitForSelector("#view table tbody tr");
  seen.conversations = await page.$$eval("#view tbody tr", (rows) => rows.map((r) => r.innerText));
  await page.screenshot({ path: shots + "/conversations.png", fullPage: true });
  await page.click(`#view a:text-is("${chat}")`);
  await page.waitForSelector("#view td .path");
  seen.transcript_paths = await page.$$eval("#view td .path", (els) => els.map((e) => e.textContent));
  seen.transcript_texts = await page.$$eval("#view tbody tr td:nth-child(3)", (els) => els.map((e) => e.textContent));
  await page.screenshot({ path: shots + "/transcript.png", fullPage: true });
  await page.click("#view a:text-matches('^trace ')");
  await page.waitForSelector("#view h1:text-matches('^Trace ')");
  seen.trace_title = await page.textContent("#view h1");
  seen.trace_path = await page.textContent("#view p .path");
  seen.trace_bars = await page.$$eval("#view .bar", (bars) => bars.length);
  await page.screenshot({ path: shots + "/trace.png", fullPage: true });

  // The pages so far: no script error, nothing the CSP refused.
  seen.errors = [...errors];

  // A change without the CSRF token is refused, from the dashboard's own page.
  seen.change_without_csrf = await page.evaluate(
    () => fetch("/api/approvals/1/deny", { method: "POST" }).then((r) => r.status));

  // The pending approval, approved with a click.
  await page.goto(base + "/dashboard/#/approvals");
  await page.waitForSelector("#view button.primary");
  seen.approvals = await page.$$eval("#view tbody tr", (rows) => rows.map((r) => r.innerText));
  await page.screenshot({ path: shots + "/approvals.png", fullPage: true });
  await page.click("#view button.primary");
  await page.waitForSelector("#view p:text('Nothing waits for approval.')");
  seen.approved = true;

  // The tenants; an API-managed business's service, first too short (the
  // problem shows next to the field), then right.
  await page.goto(base + "/dashboard/#/tenants");
  await page.waitForSelector("#view tbody tr");
  seen.tenants = await page.$$eval("#view tbody tr", (rows) => rows.map((r) => r.innerText));
  await page.goto(base + "/dashboard/#/tenant/" + encodeURIComponent(apiTenant));
  await page.waitForSelector("#field-business");
  const business = JSON.parse(await page.inputValue("#field-business"));
  business.services[0].minutes = 2;
  await page.fill("#field-business", JSON.stringify(business, null, 2));
  await page.click("#save");
  await page.waitForSelector("#problem-business:not(:empty)");
  seen.business_problem = await page.textContent("#problem-business");
  await page.screenshot({ path: shots + "/tenant-invalid.png", fullPage: true });
  business.services[0].minutes = 45;
  await page.fill("#field-business", JSON.stringify(business, null, 2));
  await page.click("#save");
  await page.waitForSelector("#saved:text-matches('^Saved')");
  seen.business_saved = await page.textContent("#saved");
  await page.screenshot({ path: shots + "/tenant-saved.png", fullPage: true });
  await page.goto(base + "/dashboard/#/decisions");
  await page.waitForSelector("#view h1:text('Group decisions')");
  seen.decisions_page = await page.textContent("#view p, #view table");

  // Another site: a form it posts carries no session (SameSite=Strict), and
  // a frame of the dashboard is not drawn.
  const evil = "http://evil.test";
  await page.route(evil + "/form", (route) => route.fulfill({
    contentType: "text/html",
    body: `<form id="f" method="post" action="${base}/api/approvals/1/deny"></form>`,
  }));
  await page.route(evil + "/frame", (route) => route.fulfill({
    contentType: "text/html",
    body: `<iframe id="frame" src="${base}/dashboard/"></iframe>`,
  }));
  await page.goto(evil + "/form");
  const [posted] = await Promise.all([
    page.waitForNavigation(),
    page.evaluate(() => document.getElementById("f").submit()),
  ]);
  seen.cross_site_post = posted.status();
  await page.goto(evil + "/frame");  // waits for the frame's load too
  const frame = page.frames().find((f) => f !== page.mainFrame());
  seen.framed_url = frame ? frame.url() : "";
  seen.framed_view = frame ? await frame.$("#view").then((e) => e !== null).catch(() => false) : false;
  await page.screenshot({ path: shots + "/framed.png" });

  // A fresh browser without the session cookie: the API refuses.
  const stranger = await browser.newContext();
  seen.api_without_session = (await stranger.request.get(base + "/api/runs")).status();
  await stranger.close();

} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
