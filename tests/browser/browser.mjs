// What every dashboard drive shares: Debian's chromium launched headless
// through playwright-core, and the log-in with the admin token.
import { chromium } from "playwright-core";

export const timeout = 20000;

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // No sandbox as root; no background traffic: this machine has no network.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/// A page logged in with `token`, collecting script and CSP errors in `errors`.
export async function loggedIn(browser, base, token, errors) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text() + " at " + m.location().url);
  });
  await page.goto(base + "/dashboard/login");
  await page.fill("#token", token);
  await Promise.all([page.waitForURL(base + "/dashboard/"), page.click("button[type=submit]")]);
  await page.waitForSelector("#view h1");
  return page;
}
