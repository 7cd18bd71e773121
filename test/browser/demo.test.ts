import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, root } from "../helpers/app-server";
import { launchChromium } from "../helpers/chromium";
import { startDemo, type DemoProcess } from "../helpers/demo-process";

const artifacts = path.join(root, "test-results");
let demo: DemoProcess;
let browser: Browser;
let page: Page;
const external: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  demo = await startDemo({ dbFile: path.join(root, ".tmp", `demo-browser-${Date.now()}.sqlite`) });
  browser = await launchChromium();
  // Headless Chromium announces itself as "HeadlessChrome", which Shopify's library
  // answers as a bot (410); a merchant's browser does not.
  page = await browser.newPage({ userAgent: BROWSER_UA });
  // Record any request that would leave the machine: the demo must work offline.
  page.on("request", (req) => {
    const host = new URL(req.url()).hostname;
    if (host !== "localhost" && host !== "127.0.0.1") external.push(req.url());
  });
  await page.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe("the demo in real Chromium", () => {
  it("prints a URL that opens the embedded admin dashboard through the real auth path", async () => {
    expect(demo.url).toMatch(/\/demo$/);
    const response = await page.goto(demo.url, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    expect(page.url()).toContain("/app?embedded=1");
    await page.getByRole("heading", { name: "Dashboard" }).first().waitFor();
    // The page asked for Shopify's CDN script; the demo server answered with its stand-in.
    expect(await page.evaluate(() => (window as unknown as { shopify?: { __standIn?: boolean } }).shopify?.__standIn)).toBe(true);
    const nav = page.getByRole("navigation", { name: "App navigation" });
    await expect(nav.getByRole("link", { name: "Dashboard" }).getAttribute("aria-current")).resolves.toBe("page");
    // The demo installs its shop as the install hook would: orders/create is subscribed, not "To do" with a retry.
    await expect(page.getByRole("button", { name: "Retry the orders/create subscription" }).count()).resolves.toBe(0);
    await expect(page.getByText("The orders/create subscription has not been made yet.").count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(artifacts, "demo-dashboard.png"), fullPage: true });
  });

  it("navigates inside the app with session tokens added by the App Bridge stand-in", async () => {
    await page.getByRole("link", { name: "Settings" }).first().click();
    await page.waitForURL(/\/app\/settings/);
    const nav = page.getByRole("navigation", { name: "App navigation" });
    await expect(nav.getByRole("link", { name: "Settings" }).getAttribute("aria-current")).resolves.toBe("page");
    await page.getByText("Time zone: America/New_York").waitFor();
    await page.getByText("created").first().waitFor();
    await page.screenshot({ path: path.join(artifacts, "demo-settings.png"), fullPage: true });
  });

  it("the retry button re-syncs the pixel through the local Admin API", async () => {
    await page.getByRole("button", { name: /pixel/ }).click();
    await page.waitForLoadState("networkidle");
    await page.getByText(/gid:\/\/shopify\/WebPixel\/\d+/).waitFor();
  });

  it("the settings form saves the data retention period", async () => {
    const field = page.getByLabel("Keep events for");
    await expect(field.inputValue()).resolves.toBe("395");
    // 90 days keeps all demo data (it spans 35 days): the demo server's own schedule may run meanwhile.
    await field.fill("90");
    await page.getByRole("button", { name: "Save retention period" }).click();
    await page.getByText("Retention period saved").waitFor();
    // Away and back: the field is filled from the stored value again.
    await page.getByRole("link", { name: "Dashboard" }).first().click();
    await page.getByRole("heading", { name: "Dashboard" }).first().waitFor();
    await page.getByRole("link", { name: "Settings" }).first().click();
    await page.getByRole("heading", { name: "Data retention" }).waitFor();
    await expect(page.getByLabel("Keep events for").inputValue()).resolves.toBe("90");
  });

  it("only the blocked Shopify CDN was requested outside the machine", () => {
    expect(external.filter((u) => !u.startsWith("https://cdn.shopify.com/"))).toEqual([]);
  });
});
