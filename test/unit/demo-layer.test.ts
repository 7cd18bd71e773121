import express from "express";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_BRIDGE_CDN_URL, replaceInHtml, STAND_IN_PATH } from "../../scripts/demo/layer";

// The demo server points the app's App Bridge script at its stand-in by rewriting HTML as it streams.
let server: ReturnType<express.Express["listen"]>;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(replaceInHtml(APP_BRIDGE_CDN_URL, STAND_IN_PATH));
  const cut = 20; // inside the URL: the match straddles two writes
  const page = `<html><body><script src="${APP_BRIDGE_CDN_URL}" data-api-key="k"></script>héllo</body></html>`;
  app.get("/page", (_req, res) => {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.setHeader("Content-Length", String(Buffer.byteLength(page)));
    res.write(Buffer.from(page.slice(0, page.indexOf(APP_BRIDGE_CDN_URL) + cut)));
    res.end(Buffer.from(page.slice(page.indexOf(APP_BRIDGE_CDN_URL) + cut)));
  });
  app.get("/data", (_req, res) => res.json({ src: APP_BRIDGE_CDN_URL }));
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((r) => server.close(r)));

describe("demo layer: App Bridge URL rewrite", () => {
  it("replaces the CDN URL in an HTML answer even when it is split across writes, and fixes the length", async () => {
    const res = await fetch(`${base}/page`);
    const text = await res.text();
    expect(text).toBe(`<html><body><script src="${STAND_IN_PATH}" data-api-key="k"></script>héllo</body></html>`);
    expect(res.headers.get("content-length")).toBeNull();
  });

  it("leaves other answers alone", async () => {
    expect(await (await fetch(`${base}/data`)).json()).toEqual({ src: APP_BRIDGE_CDN_URL });
  });
});
