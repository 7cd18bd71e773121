/**
 * A small local implementation of the Shopify endpoints the app calls, for demo mode
 * and tests (Shopify itself cannot be reached here):
 *   POST /<shop>/admin/oauth/access_token          token exchange (verifies the session token)
 *   POST /<shop>/admin/api/<version>/graphql.json  shop, webPixel, webPixelCreate/Update,
 *                                                  tagsAdd/tagsRemove, app (access scopes)
 * Responses follow Shopify's shapes, including userErrors (TAKEN, NOT_FOUND) and
 * throttling (HTTP 429 / THROTTLED), which tests can inject.
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
}

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
  for (const op of ["webPixelCreate", "webPixelUpdate", "webPixel", "shop", "tagsAdd", "tagsRemove", "app"]) {
    if (new RegExp(`\\b${op}\\s*[({]`).test(query.replace(/^(query|mutation)\s+\w+/, ""))) return op;
  }
  return "unknown";
}

export async function startLocalShopify(opts: { apiKey: string; apiSecret: string; port?: number }): Promise<LocalShopify> {
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

  const graphql = (domain: string, query: string, variables: Record<string, any>) => {
    const shop = shopFor(domain);
    const op = operationOf(query);
    calls.push({ shop: domain, operation: op, variables });
    const errors = (field: string, code: string, message: string) => ({ userErrors: [{ code, field: [field], message }], webPixel: null });
    switch (op) {
      case "shop":
        return { shop: { name: shop.name, ianaTimezone: shop.ianaTimezone, currencyCode: shop.currencyCode, myshopifyDomain: domain } };
      case "webPixel":
        return { webPixel: shop.pixel };
      case "webPixelCreate": {
        if (shop.pixel) return { webPixelCreate: errors("webPixel", "TAKEN", "Web pixel is taken.") };
        const settings = variables.webPixel?.settings;
        if (typeof settings !== "string") return { webPixelCreate: errors("settings", "INVALID_SETTINGS", "Settings must be a JSON string") };
        shop.pixel = { id: `gid://shopify/WebPixel/${++pixelSeq}`, settings };
        return { webPixelCreate: { userErrors: [], webPixel: shop.pixel } };
      }
      case "webPixelUpdate": {
        if (!shop.pixel || shop.pixel.id !== variables.id) return { webPixelUpdate: errors("id", "NOT_FOUND", "Web pixel not found") };
        shop.pixel = { id: shop.pixel.id, settings: variables.webPixel.settings };
        return { webPixelUpdate: { userErrors: [], webPixel: shop.pixel } };
      }
      case "app": {
        // FetchAccessScopes of shopify-app-remix's scopes API (query/request).
        const handles = (list: string[]) => list.map((handle) => ({ handle }));
        return {
          app: {
            requestedAccessScopes: handles(LOCAL_REQUIRED_SCOPES),
            optionalAccessScopes: handles(LOCAL_OPTIONAL_SCOPES),
            installation: { accessScopes: handles(shop.scopes ?? LOCAL_GRANTED_SCOPES) },
          },
        };
      }
      case "tagsAdd":
      case "tagsRemove": {
        const id = String(variables.id ?? "");
        if (!/^gid:\/\/shopify\/Customer\/\d+$/.test(id)) {
          return { [op]: { node: null, userErrors: [{ field: ["id"], message: "Invalid id" }] } };
        }
        const tags = shop.customerTags.get(id) ?? new Set<string>();
        for (const tag of variables.tags as string[]) op === "tagsAdd" ? tags.add(tag) : tags.delete(tag);
        shop.customerTags.set(id, tags);
        return { [op]: { node: { id }, userErrors: [] } };
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
          return send(200, { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }], extensions: { cost: { throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 } } } });
        }
        const data = graphql(domain, String(query), variables ?? {});
        if (!data) return send(200, { errors: [{ message: "Field not implemented by the local Admin API" }] });
        return send(200, { data, extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } } } });
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
