/**
 * A small local implementation of the Shopify endpoints the app calls, for the demo
 * and tests (Shopify itself cannot be reached here):
 *   POST /<shop>/admin/oauth/access_token          token exchange (verifies the session token)
 *   POST /<shop>/admin/api/<version>/graphql.json  shop, webPixel, webPixelCreate/Update,
 *                                                  tagsAdd/tagsRemove, webhookSubscriptionCreate,
 *                                                  app (access scopes)
 * Responses follow Shopify's shapes: top-level errors (no web pixel, ACCESS_DENIED, a
 * deleted customer, protected customer data not approved), userErrors (TAKEN, NOT_FOUND,
 * NO_EXTENSION, INVALID_SETTINGS, protected webhook topics) and throttling (HTTP 429 /
 * THROTTLED as HTTP 200), which tests can inject. Which of these answers are confirmed
 * from Shopify's docs and which are assumptions: docs/decisions/008-shopify-stand-in-answers.md.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";

type Failure = "throttle" | "http429" | "http500";

export interface LocalShop {
  name: string;
  ianaTimezone: string;
  currencyCode: string;
  pixel: { id: string; settings: string } | null;
  customerTags: Map<string, Set<string>>;
  /** Access scopes the shop granted the app; defaults to LOCAL_GRANTED_SCOPES. */
  scopes?: string[];
  /** false: the app's web pixel extension is not deployed (webPixelCreate answers NO_EXTENSION). */
  pixelExtension?: boolean;
  /** Numeric ids of customers deleted from the shop: tagsAdd/tagsRemove on them fail. */
  deletedCustomers?: Set<string>;
  /** Shop-specific webhook subscriptions made with webhookSubscriptionCreate. */
  webhooks?: { id: string; topic: string; callbackUrl: string }[];
}

/**
 * Protected customer data access as configured in the Partner/Dev Dashboard:
 * "unapproved" refuses what Shopify refuses without it (customer mutations, webhook
 * topics with customer data such as orders/create).
 */
export type ProtectedDataMode = "approved" | "unapproved";

/** Webhook topics Shopify only lets an app subscribe to with protected customer data access. */
export const PROTECTED_TOPICS = new Set(["ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_PAID", "CUSTOMERS_CREATE", "CUSTOMERS_UPDATE", "CHECKOUTS_CREATE"]);

export const NO_PIXEL_MESSAGE = "No web pixel was found for this app.";
export const NOT_APPROVED_CUSTOMER =
  "This app is not approved to access the Customer object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.";
export const NOT_APPROVED_WEBHOOK =
  "This app is not approved to subscribe to webhook topics containing protected customer data. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.";

/** The app's configuration as Shopify knows it (shopify.app.toml [access_scopes]). */
export const LOCAL_REQUIRED_SCOPES = ["write_pixels", "read_customer_events", "read_orders"];
export const LOCAL_OPTIONAL_SCOPES = ["write_customers"];
/**
 * What a local shop granted unless a test sets `LocalShop.scopes`: the required scopes
 * and the optional one, as if the merchant had already accepted it (so the offline demo
 * can use every feature). Tests model a shop that has not by setting `scopes`.
 */
export const LOCAL_GRANTED_SCOPES = [...LOCAL_REQUIRED_SCOPES, ...LOCAL_OPTIONAL_SCOPES];

export interface LocalShopify {
  url: string;
  shops: Map<string, LocalShop>;
  tokens: Map<string, string>;
  /** Operations received, in order: for assertions. */
  calls: { shop: string; operation: string; variables: unknown }[];
  /** Inject failures: the next `times` calls of `operation` (any, if omitted) answer with the failure. */
  failNext(kind: Failure, times?: number, operation?: string): void;
  clearFailures(): void;
  /** Protected customer data access; starts as opts.protectedData or LOCAL_SHOPIFY_PROTECTED_DATA. */
  protectedData: ProtectedDataMode;
  /** What Shopify does on uninstall: the app's tokens, web pixel and shop-specific webhooks go. */
  uninstall(domain: string): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (data += c));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

function verifyJwt(token: string, secret: string): Record<string, unknown> | null {
  const [h, p, s] = token.split(".");
  if (!h || !p || !s) return null;
  const expected = createHmac("sha256", secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now() - 10_000) return null;
  return claims;
}

/** Which operation a GraphQL document is, by its first root field we implement. */
function operationOf(query: string): string {
  for (const op of ["webPixelCreate", "webPixelUpdate", "webPixel", "shop", "tagsAdd", "tagsRemove", "webhookSubscriptionCreate", "app"]) {
    if (new RegExp(`\\b${op}\\s*[({]`).test(query.replace(/^(query|mutation)\s+\w+/, ""))) return op;
  }
  return "unknown";
}

/** Fields the web pixel extension's TOML defines (extensions/web-pixel/shopify.extension.toml). */
const PIXEL_FIELDS = ["ingestUrl", "ingestKey", "queryParams"];

/**
 * Settings that match that definition: ingestUrl and ingestKey non-empty strings (their
 * `min` validation); queryParams, which has no validation, a string and may be empty.
 * Keys the definition does not name are refused.
 */
function validPixelSettings(settings: unknown): boolean {
  if (typeof settings !== "string") return false;
  try {
    const value = JSON.parse(settings);
    return (
      typeof value === "object" &&
      value !== null &&
      typeof value.ingestUrl === "string" &&
      value.ingestUrl.length > 0 &&
      typeof value.ingestKey === "string" &&
      value.ingestKey.length > 0 &&
      (value.queryParams === undefined || typeof value.queryParams === "string") &&
      Object.keys(value).every((k) => PIXEL_FIELDS.includes(k))
    );
  } catch {
    return false;
  }
}

type GqlAnswer = { data?: unknown; errors?: unknown[] };

/** A top-level GraphQL error the way Shopify sends it: HTTP 200, the field null, `errors` beside `data`. */
function topLevel(op: string, message: string, code?: string): GqlAnswer {
  return {
    data: { [op]: null },
    errors: [{ message, locations: [{ line: 2, column: 3 }], path: [op], ...(code ? { extensions: { code } } : {}) }],
  };
}

export async function startLocalShopify(opts: { apiKey: string; apiSecret: string; port?: number; protectedData?: ProtectedDataMode }): Promise<LocalShopify> {
  let protectedData: ProtectedDataMode = opts.protectedData ?? (process.env.LOCAL_SHOPIFY_PROTECTED_DATA === "unapproved" ? "unapproved" : "approved");
  let webhookSeq = 5000;
  const shops = new Map<string, LocalShop>();
  const tokens = new Map<string, string>();
  const calls: LocalShopify["calls"] = [];
  const failures: { kind: Failure; operation?: string }[] = [];
  let pixelSeq = 1000;

  const shopFor = (domain: string) => {
    let shop = shops.get(domain);
    if (!shop) {
      shop = { name: domain.replace(".myshopify.com", ""), ianaTimezone: "America/New_York", currencyCode: "USD", pixel: null, customerTags: new Map() };
      shops.set(domain, shop);
    }
    return shop;
  };

  const graphql = (domain: string, query: string, variables: Record<string, any>): GqlAnswer | null => {
    const shop = shopFor(domain);
    const op = operationOf(query);
    calls.push({ shop: domain, operation: op, variables });
    const granted = new Set(shop.scopes ?? LOCAL_GRANTED_SCOPES);
    const denied = (scope: string) => topLevel(op, `Access denied for ${op} field. Required access: \`${scope}\` access scope.`, "ACCESS_DENIED");
    const errors = (field: string, code: string, message: string) => ({ data: { [op]: { userErrors: [{ code, field: [field], message }], webPixel: null } } });
    switch (op) {
      case "shop":
        return { data: { shop: { name: shop.name, ianaTimezone: shop.ianaTimezone, currencyCode: shop.currencyCode, myshopifyDomain: domain } } };
      case "webPixel":
        if (!granted.has("write_pixels")) return denied("read_pixels");
        return shop.pixel ? { data: { webPixel: shop.pixel } } : topLevel(op, NO_PIXEL_MESSAGE);
      case "webPixelCreate": {
        if (!granted.has("write_pixels")) return denied("write_pixels");
        if (shop.pixelExtension === false) return errors("webPixel", "NO_EXTENSION", "No extension found.");
        if (shop.pixel) return errors("webPixel", "TAKEN", "Web pixel is taken.");
        const settings = variables.webPixel?.settings;
        if (!validPixelSettings(settings))
          return errors("settings", "INVALID_SETTINGS", "The provided settings does not match the expected settings definition on the app.");
        shop.pixel = { id: `gid://shopify/WebPixel/${++pixelSeq}`, settings };
        return { data: { webPixelCreate: { userErrors: [], webPixel: shop.pixel } } };
      }
      case "webPixelUpdate": {
        if (!granted.has("write_pixels")) return denied("write_pixels");
        if (!shop.pixel || shop.pixel.id !== variables.id)
          return errors("id", "NOT_FOUND", "The record with the ID used as the input value couldn't be found.");
        if (!validPixelSettings(variables.webPixel?.settings))
          return errors("settings", "INVALID_SETTINGS", "The provided settings does not match the expected settings definition on the app.");
        shop.pixel = { id: shop.pixel.id, settings: variables.webPixel.settings };
        return { data: { webPixelUpdate: { userErrors: [], webPixel: shop.pixel } } };
      }
      case "webhookSubscriptionCreate": {
        const topic = String(variables.topic ?? "");
        const callbackUrl = String(variables.webhookSubscription?.callbackUrl ?? variables.webhookSubscription?.uri ?? "");
        const fail = (field: string[], message: string) => ({
          data: { webhookSubscriptionCreate: { webhookSubscription: null, userErrors: [{ field, message }] } },
        });
        if (PROTECTED_TOPICS.has(topic) && protectedData === "unapproved") return fail(["webhookSubscription"], NOT_APPROVED_WEBHOOK);
        shop.webhooks ??= [];
        if (shop.webhooks.some((w) => w.topic === topic && w.callbackUrl === callbackUrl)) {
          return fail(["webhookSubscription", "callbackUrl"], "Address for this topic has already been taken");
        }
        const sub = { id: `gid://shopify/WebhookSubscription/${++webhookSeq}`, topic, callbackUrl };
        shop.webhooks.push(sub);
        return { data: { webhookSubscriptionCreate: { webhookSubscription: { id: sub.id, topic }, userErrors: [] } } };
      }
      case "app": {
        // FetchAccessScopes of shopify-app-remix's scopes API (query/request).
        const handles = (list: string[]) => list.map((handle) => ({ handle }));
        return {
          data: {
            app: {
              requestedAccessScopes: handles(LOCAL_REQUIRED_SCOPES),
              optionalAccessScopes: handles(LOCAL_OPTIONAL_SCOPES),
              installation: { accessScopes: handles(shop.scopes ?? LOCAL_GRANTED_SCOPES) },
            },
          },
        };
      }
      case "tagsAdd":
      case "tagsRemove": {
        if (!granted.has("write_customers")) return denied("write_customers");
        if (protectedData === "unapproved") return topLevel(op, NOT_APPROVED_CUSTOMER, "ACCESS_DENIED");
        const id = String(variables.id ?? "");
        const numeric = id.match(/^gid:\/\/shopify\/Customer\/(\d+)$/)?.[1];
        if (!numeric) return { data: { [op]: { node: null, userErrors: [{ field: ["id"], message: "Invalid id" }] } } };
        if (shop.deletedCustomers?.has(numeric)) return topLevel(op, `Invalid id: ${id}`, "RESOURCE_NOT_FOUND");
        const tags = shop.customerTags.get(id) ?? new Set<string>();
        for (const tag of variables.tags as string[]) {
          if (op === "tagsAdd") tags.add(tag);
          else tags.delete(tag);
        }
        shop.customerTags.set(id, tags);
        return { data: { [op]: { node: { id }, userErrors: [] } } };
      }
      default:
        return null;
    }
  };

  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? "/", "http://local");
      const [, domain, ...rest] = url.pathname.split("/");
      const path = "/" + rest.join("/");
      const body = await readBody(req);
      if (req.method === "POST" && path === "/admin/oauth/access_token") {
        const params = body.startsWith("{") ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
        if (params.client_id !== opts.apiKey || params.client_secret !== opts.apiSecret) return send(401, { error: "invalid_client" });
        const claims = verifyJwt(String(params.subject_token ?? ""), opts.apiSecret);
        if (!claims || claims.dest !== `https://${domain}`) return send(400, { error: "invalid_subject_token" });
        const token = `shpat_local_${randomBytes(12).toString("hex")}`;
        tokens.set(token, domain);
        const granted = shopFor(domain).scopes ?? LOCAL_GRANTED_SCOPES;
        return send(200, {
          access_token: token,
          scope: granted.join(","),
          expires_in: 3600,
          refresh_token: `shprt_local_${randomBytes(12).toString("hex")}`,
          refresh_token_expires_in: 7_776_000,
        });
      }
      const gql = path.match(/^\/admin\/api\/[\w-]+\/graphql\.json$/);
      if (req.method === "POST" && gql) {
        const token = req.headers["x-shopify-access-token"];
        if (typeof token !== "string" || tokens.get(token) !== domain) {
          return send(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
        }
        const { query, variables } = JSON.parse(body);
        const operation = operationOf(String(query));
        const index = failures.findIndex((f) => !f.operation || f.operation === operation);
        const failure = index >= 0 ? failures.splice(index, 1)[0].kind : undefined;
        if (failure === "http429") return send(429, { errors: "Exceeded 2 calls per second for api client." }, { "Retry-After": "1" });
        if (failure === "http500") return send(500, { errors: "Internal error" });
        if (failure === "throttle") {
          return send(200, {
            errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
            extensions: { cost: { throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } } },
          });
        }
        const answer = graphql(domain, String(query), variables ?? {});
        if (!answer) return send(200, { errors: [{ message: "Field not implemented by the local Admin API" }] });
        return send(200, {
          ...answer,
          extensions: {
            cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } },
          },
        });
      }
      send(404, { errors: "Not Found" });
    } catch (error) {
      send(400, { errors: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    shops,
    tokens,
    calls,
    failNext(kind, times = 1, operation) {
      for (let i = 0; i < times; i++) failures.push({ kind, operation });
    },
    clearFailures() {
      failures.length = 0;
    },
    get protectedData() {
      return protectedData;
    },
    set protectedData(mode: ProtectedDataMode) {
      protectedData = mode;
    },
    uninstall(domain) {
      for (const [token, d] of tokens) if (d === domain) tokens.delete(token);
      const shop = shops.get(domain);
      if (shop) {
        shop.pixel = null;
        shop.webhooks = [];
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
