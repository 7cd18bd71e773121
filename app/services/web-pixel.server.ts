import type { AdminGraphql, UserError } from "./admin-graphql.server";
import { adminQuery } from "./admin-graphql.server";

// Web pixel activation: an app creates its pixel per shop with webPixelCreate and keeps
// its settings current with webPixelUpdate (Shopify docs: "Web pixels API > webPixelCreate").
// A second create answers a TAKEN user error, so we fall back to update.

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
}

export type PixelResult = { ok: true; id: string } | { ok: false; error: string };

type MutationPayload = { userErrors: UserError[]; webPixel: { id: string } | null };

function describe(errors: UserError[]): string {
  return errors.map((e) => `${e.code ?? "ERROR"}: ${e.message}`).join("; ");
}

async function update(admin: AdminGraphql, id: string, settings: string) {
  const data = await adminQuery<{ webPixelUpdate: MutationPayload }>(admin, UPDATE, { id, webPixel: { settings } });
  return data.webPixelUpdate;
}

/**
 * Creates the shop's web pixel or brings its settings up to date; safe to call on
 * every install/auth. Never throws: a failure comes back as `{ ok: false, error }`
 * so the Settings page can show it.
 */
export async function ensureWebPixel(admin: AdminGraphql, knownId: string | null, settings: PixelSettings): Promise<PixelResult> {
  const json = JSON.stringify(settings);
  try {
    if (knownId) {
      const updated = await update(admin, knownId, json);
      if (updated.webPixel) return { ok: true, id: updated.webPixel.id };
      // NOT_FOUND: the pixel was removed (e.g. app reinstalled): create it again below.
      if (!updated.userErrors.some((e) => e.code === "NOT_FOUND")) return { ok: false, error: describe(updated.userErrors) };
    }
    const created = (await adminQuery<{ webPixelCreate: MutationPayload }>(admin, CREATE, { webPixel: { settings: json } })).webPixelCreate;
    if (created.webPixel) return { ok: true, id: created.webPixel.id };
    if (created.userErrors.some((e) => e.code === "TAKEN")) {
      const current = await adminQuery<{ webPixel: { id: string } | null }>(admin, CURRENT);
      if (current.webPixel) {
        const updated = await update(admin, current.webPixel.id, json);
        if (updated.webPixel) return { ok: true, id: updated.webPixel.id };
        return { ok: false, error: describe(updated.userErrors) };
      }
    }
    return { ok: false, error: describe(created.userErrors) || "webPixelCreate returned no pixel" };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
