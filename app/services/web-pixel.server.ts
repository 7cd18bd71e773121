import type { AdminGraphql, UserError } from "./admin-graphql.server";
import { AdminApiError, adminQuery } from "./admin-graphql.server";

// Web pixel activation: an app creates its pixel per shop with webPixelCreate and keeps
// its settings current with webPixelUpdate (Shopify docs: "Web pixels API > webPixelCreate").
// Shopify's answers this relies on (docs/decisions/008-shopify-stand-in-answers.md):
// - the webPixel query answers a top-level error "No web pixel was found for this app."
//   when the app has none (not `webPixel: null`);
// - webPixelUpdate with an id that no longer exists (e.g. the pixel went with an
//   uninstall) answers NOT_FOUND; webPixelCreate when one exists answers TAKEN;
// - NO_EXTENSION (extension not deployed) and INVALID_SETTINGS cannot be fixed by retrying.

const FIELDS = `userErrors { code field message } webPixel { id settings }`;
const CREATE = `#graphql
mutation WebPixelCreate($webPixel: WebPixelInput!) { webPixelCreate(webPixel: $webPixel) { ${FIELDS} } }`;
const UPDATE = `#graphql
mutation WebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) { webPixelUpdate(id: $id, webPixel: $webPixel) { ${FIELDS} } }`;
const CURRENT = `#graphql
query CurrentWebPixel { webPixel { id settings } }`;

export interface PixelSettings {
  ingestUrl: string;
  ingestKey: string;
  /** The merchant's extra query parameters, comma-separated ("" for none): the pixel keeps them in url/referrer. */
  queryParams: string;
}

export type PixelResult = { ok: true; id: string } | { ok: false; error: string };

type MutationPayload = { userErrors: UserError[]; webPixel: { id: string } | null };

export const NO_PIXEL_MESSAGE = /no web pixel was found/i;

/** The webPixel query's "none" answer: a top-level error, not null. */
export function isNoPixelError(e: unknown): boolean {
  return e instanceof AdminApiError && e.mentions(NO_PIXEL_MESSAGE);
}

/** What the merchant reads for a refused create/update: the code, Shopify's words, and what to do. */
function describe(errors: UserError[]): string {
  const hint = (code: string | null | undefined) => {
    switch (code) {
      case "NO_EXTENSION":
        return " The web pixel extension is not deployed for this app version: run `shopify app deploy` and release the version, then retry.";
      case "INVALID_SETTINGS":
      case "INVALID_CONFIGURATION_JSON":
        return " The pixel's settings do not match the extension's settings definition (extensions/web-pixel/shopify.extension.toml): deploy the current extension, then retry.";
      default:
        return "";
    }
  };
  return errors.map((e) => `${e.code ?? "ERROR"}: ${e.message}${hint(e.code)}`).join("; ");
}

function describeError(error: unknown): string {
  if (error instanceof AdminApiError && error.has("ACCESS_DENIED")) {
    return `${error.message}. The app needs the write_pixels scope: open the app again to accept it, or reinstall.`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function update(admin: AdminGraphql, id: string, settings: string) {
  const data = await adminQuery<{ webPixelUpdate: MutationPayload }>(admin, UPDATE, { id, webPixel: { settings } });
  return data.webPixelUpdate;
}

async function create(admin: AdminGraphql, settings: string) {
  return (await adminQuery<{ webPixelCreate: MutationPayload }>(admin, CREATE, { webPixel: { settings } })).webPixelCreate;
}

/** The app's pixel as Shopify holds it, or null when it has none. */
async function current(admin: AdminGraphql): Promise<{ id: string } | null> {
  try {
    return (await adminQuery<{ webPixel: { id: string } | null }>(admin, CURRENT)).webPixel;
  } catch (e) {
    if (isNoPixelError(e)) return null;
    throw e;
  }
}

/**
 * Query-then-create-or-update: what is done when the id we hold is not (or no longer)
 * Shopify's, and when a create finds one already there.
 */
async function reconcile(admin: AdminGraphql, json: string, createFirst: boolean): Promise<PixelResult> {
  if (createFirst) {
    const created = await create(admin, json);
    if (created.webPixel) return { ok: true, id: created.webPixel.id };
    if (!created.userErrors.some((e) => e.code === "TAKEN")) return { ok: false, error: describe(created.userErrors) || "webPixelCreate returned no pixel" };
  }
  const existing = await current(admin);
  if (existing) {
    const updated = await update(admin, existing.id, json);
    return updated.webPixel ? { ok: true, id: updated.webPixel.id } : { ok: false, error: describe(updated.userErrors) };
  }
  if (createFirst) return { ok: false, error: "webPixelCreate answered TAKEN but the webPixel query found no pixel" };
  const created = await create(admin, json);
  return created.webPixel ? { ok: true, id: created.webPixel.id } : { ok: false, error: describe(created.userErrors) || "webPixelCreate returned no pixel" };
}

/**
 * Creates the shop's web pixel or brings its settings up to date; safe to call on
 * every install/auth. With a known id it updates; when that update fails (NOT_FOUND: a
 * stale id after a reinstall, or any top-level error) it asks Shopify for the app's
 * pixel and updates that one, or creates one when there is none. Never throws: a failure
 * comes back as `{ ok: false, error }` for the Setup and Settings pages.
 */
export async function ensureWebPixel(admin: AdminGraphql, knownId: string | null, settings: PixelSettings): Promise<PixelResult> {
  const json = JSON.stringify(settings);
  try {
    if (!knownId) return await reconcile(admin, json, true);
    let updated: MutationPayload | null = null;
    try {
      updated = await update(admin, knownId, json);
    } catch (e) {
      // ACCESS_DENIED will fail the same way below; anything else: look the pixel up.
      if (e instanceof AdminApiError && e.has("ACCESS_DENIED")) throw e;
      if (!(e instanceof AdminApiError)) throw e;
    }
    if (updated?.webPixel) return { ok: true, id: updated.webPixel.id };
    if (updated && !updated.userErrors.some((e) => e.code === "NOT_FOUND")) return { ok: false, error: describe(updated.userErrors) };
    return await reconcile(admin, json, false);
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}
