// Size budget and manifest of the shipped pixel.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PIXEL_BUDGET_BYTES, buildPixel } from "../../../scripts/build-pixel";

const ext = path.resolve(import.meta.dirname, "../../../extensions/web-pixel");

describe("web pixel bundle", () => {
  it(`minified bundle stays within ${PIXEL_BUDGET_BYTES} bytes`, async () => {
    const { bytes, code } = await buildPixel({ write: false });
    expect(bytes).toBe(Buffer.byteLength(code));
    expect(bytes).toBeLessThanOrEqual(PIXEL_BUDGET_BYTES);
  });

  it("is a self-contained worker script: no imports, no DOM access", async () => {
    const { code } = await buildPixel({ write: false });
    expect(code).not.toMatch(/\bimport\s*[({"']|\brequire\(/);
    // Storage only through the sandbox API (browser.localStorage, run in the top frame).
    expect(code).not.toMatch(/\bdocument\.|\bwindow\.|(?<!\.)\blocalStorage|sendBeacon/);
    // register() from @shopify/web-pixels-extension is bundled: it calls the sandbox global.
    expect(code).toContain("shopify.extend(");
    expect(code).toContain('"WebPixel::Render"');
  });

  it("manifest: strict sandbox, analytics-only consent, the three settings (queryParams may be empty)", () => {
    const toml = readFileSync(path.join(ext, "shopify.extension.toml"), "utf8");
    expect(toml).toMatch(/^type = "web_pixel_extension"$/m);
    expect(toml).toMatch(/^runtime_context = "strict"$/m);
    expect(toml).toMatch(/\[customer_privacy\]\nanalytics = true\nmarketing = false\npreferences = false\nsale_of_data = "disabled"/);
    expect(toml).toMatch(/\[settings\]\ntype = "object"/);
    for (const f of ["ingestUrl", "ingestKey", "queryParams"]) {
      expect(toml).toMatch(new RegExp(`\\[settings\\.fields\\.${f}\\]\\nname = "[^"]+"\\ndescription = "[^"]+"\\ntype = "single_line_text_field"`));
    }
    // The app sends "" when the merchant keeps no extra parameters: no validation may refuse it.
    expect(toml.slice(toml.indexOf("[settings.fields.queryParams]")).split("\n[")[0]).not.toMatch(/validations/);
    const pkg = JSON.parse(readFileSync(path.join(ext, "package.json"), "utf8"));
    expect(pkg.dependencies["@shopify/web-pixels-extension"]).toBeTruthy();
  });
});
