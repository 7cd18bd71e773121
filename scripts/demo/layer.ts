/**
 * What the demo server puts in front of the production app (the app's own build and
 * code path stay unchanged): the App Bridge stand-in, session tokens minted with the
 * local secret, and /demo, which opens the app as Shopify admin would. Never part of
 * the production build (test/integration/production-build.test.ts).
 */
import type { Express, NextFunction, Request, Response } from "express";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { mintSessionToken } from "./session-token";

/** Where AppProvider and the library's session-token bounce page load App Bridge from. */
export const APP_BRIDGE_CDN_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
export const STAND_IN_PATH = "/demo/app-bridge.js";

export interface DemoLayerOptions {
  shop: string;
  apiKey: string;
  apiSecret: string;
}

export function demoLayer(opts: DemoLayerOptions) {
  const token = () => mintSessionToken({ shop: opts.shop, apiKey: opts.apiKey, secret: opts.apiSecret });
  /** The URL Shopify admin would load in its iframe: embedded params + a fresh id_token. */
  const adminUrl = (pathname = "/app") => {
    const handle = opts.shop.replace(".myshopify.com", "");
    const host = Buffer.from(`admin.shopify.com/store/${handle}`).toString("base64url");
    return `${pathname}?${new URLSearchParams({ embedded: "1", shop: opts.shop, host, id_token: token() })}`;
  };
  return (app: Express) => {
    app.get("/", (req, res, next) => (req.query.shop ? next() : res.redirect("/demo")));
    app.get("/demo", (_req, res) => res.redirect(adminUrl()));
    app.get("/demo/session-token", (_req, res) => {
      res.set("Cache-Control", "no-store").json({ token: token() });
    });
    app.get(STAND_IN_PATH, (_req, res) => {
      res
        .set("Cache-Control", "no-store")
        .type("text/javascript")
        .sendFile(path.join(import.meta.dirname, "app-bridge-stand-in.js"));
    });
    app.use(replaceInHtml(APP_BRIDGE_CDN_URL, STAND_IN_PATH));
  };
}

/**
 * Replaces `from` with `to` in HTML answers as they stream (a match may straddle two
 * writes). Mounted after compression, so it sees the text before it is compressed.
 */
export function replaceInHtml(from: string, to: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let html: boolean | null = null;
    const decoder = new StringDecoder("utf8");
    let pending = "";
    const isHtml = () => {
      if (html === null) {
        html = /^text\/html/i.test(String(res.getHeader("content-type") ?? ""));
        if (html && !res.headersSent) res.removeHeader("content-length");
      }
      return html;
    };
    const take = (chunk: unknown, final: boolean): string => {
      const text =
        pending + (chunk == null ? "" : typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk as Uint8Array))) + (final ? decoder.end() : "");
      const replaced = text.split(from).join(to);
      // Keep back what could be the start of a match split across writes.
      const keep = final ? 0 : Math.min(from.length - 1, replaced.length);
      pending = replaced.slice(replaced.length - keep);
      return replaced.slice(0, replaced.length - keep);
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!isHtml()) return write(chunk, ...rest);
      const callback = rest.find((r) => typeof r === "function");
      return write(take(chunk, false), "utf8", callback);
    }) as Response["write"];
    res.end = ((...args: unknown[]) => {
      if (!isHtml()) return end(...args);
      const chunk = typeof args[0] === "function" ? undefined : args[0];
      const callback = args.find((a) => typeof a === "function");
      return end(take(chunk, true), "utf8", callback);
    }) as Response["end"];
    next();
  };
}
