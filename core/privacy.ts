/**
 * What personal data looks like, and how URLs and free text are reduced before anything
 * is sent or stored. Pure and dependency-free: the web pixel bundles it (scrub before
 * sending) and ingestion runs it again (scrub before storing), so the two cannot drift
 * and a payload posted straight to /collect gets the same treatment as the pixel's.
 *
 * The detectors are heuristics that err on the side of dropping: a value that merely
 * looks like an email, phone number, card number or street address is dropped.
 */

/**
 * Text rules (docs/event-schema.md "Text rules"), shared so the pixel never sends what
 * ingestion refuses. Lone surrogates are found by regex, not String#isWellFormed, which
 * older storefront browsers lack.
 */
const LONE_SURROGATE = /(?:^|[^\ud800-\udbff])[\udc00-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])/;
/** C0, DEL and C1 control characters. */
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, minus tab and line feed (allowed in free-text prop values). */
export const CONTROL_BUT_TAB_LF = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
export const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);
/** Passes the text rules: well-formed, and no control characters (tab/LF allowed in free text). */
export const textOk = (s: string, freeText = false): boolean => wellFormed(s) && !(freeText ? CONTROL_BUT_TAB_LF : CONTROL).test(s);

/** Click ids of the ad platforms (query parameters kept in url/referrer besides utm_*). */
export const CLICK_ID_PARAMS = [
  "gclid",
  "gbraid",
  "wbraid",
  "dclid",
  "gclsrc",
  "fbclid",
  "msclkid",
  "ttclid",
  "twclid",
  "li_fat_id",
  "epik",
  "sccid",
  "rdt_cid",
  "yclid",
  "irclickid",
  "mc_cid",
] as const;

/** Query parameter names: short, no spaces or separators (merchant settings use the same rule). */
export const QUERY_PARAM_NAME = /^[a-z0-9_.\-[\]]{1,64}$/;

/** utm_* and the click ids are always kept; `extra` comes from the merchant's settings. */
export function queryParamAllowed(name: string, extra?: ReadonlySet<string>): boolean {
  const k = name.toLowerCase();
  return k.startsWith("utm_") || (CLICK_ID_PARAMS as readonly string[]).includes(k) || (extra?.has(k) ?? false);
}

// Property names that announce personal data (props of mc:* events).
const PERSONAL_KEY = /e-?mail|phone|mobile|name|address|street|postal|zip|birth|card|iban|ssn|passw/i;
export const isPersonalKey = (key: string): boolean => PERSONAL_KEY.test(key);

const EMAIL = /[^\s@<>()[\]\\,;:"'/?&=]+@[^\s@<>()[\]\\,;:"'/?&=]+\.[a-z]{2,}/i;
// Digit runs with the separators people write numbers with.
const NUMBER_RUN = /\+?\(?\d[\d\s().\-/]{5,}\d/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
// "12 Baker Street", "1600 Pennsylvania Avenue NW", "12 rue de la Paix", "Hauptstraße 5".
const STREET_WORDS =
  "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|terrace|square|sq|highway|hwy|parkway|pkwy|crescent|close";
const ADDRESS = [
  new RegExp(`(?:^|[^\\p{L}\\p{N}])\\d{1,5}[a-z]?,?\\s+(?:[\\p{L}'.-]+\\s+){0,3}(?:${STREET_WORDS})(?![\\p{L}\\p{N}])`, "iu"),
  /(?:^|[^\p{L}\p{N}])\d{1,5}[a-z]?,?\s+(?:rue|via|calle|avenida|chemin|piazza|plaza|allée)\s/iu,
  /\p{L}(?:straße|strasse|str\.|weg|gasse|platz|allee)\s+\d{1,5}(?![\p{N}])/iu,
];

/** Luhn checksum over the digits of `digits`. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function personalNumber(run: string): boolean {
  const digits = run.replace(/\D/g, "");
  // Card: 13–19 digits, an issuer's leading digit (2–6), valid checksum.
  if (digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhn(digits)) return true;
  if (ISO_DATE.test(run)) return false;
  // Phone: international form, or 9–15 digits written with separators. Bare digit runs
  // without "+" are left alone: Shopify ids look exactly like them.
  if (run.startsWith("+")) return digits.length >= 8 && digits.length <= 15;
  return /[\s().\-/]/.test(run) && digits.length >= 9 && digits.length <= 15;
}

/** Query-string decoding ("+" is a space), so "jane%40x.com" and "%2B1+555…" are seen as written. */
export function decodeLoose(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** Checks the text as sent and as decoded (when there is anything to decode): a "+" is a phone's prefix in one, a space in the other. */
const personal = (s: string): boolean => looksPersonal(s) || (/[%+]/.test(s) && looksPersonal(decodeLoose(s)));

/** Does this text contain an email, phone number, card number or street address? */
export function looksPersonal(text: string): boolean {
  // Cheap guards first (this runs on every URL and text of every event): an email needs an
  // "@"; phone, card and every address pattern need a digit. The regexes are slow on long
  // text without them (a failed match is retried from every position).
  if (text.includes("@") && EMAIL.test(text)) return true;
  return /\d/.test(text) && ((text.match(NUMBER_RUN) ?? []).some((run) => personalNumber(run.trim())) || ADDRESS.some((re) => re.test(text)));
}

/**
 * Keeps an absolute URL's origin and path and only the allowed query parameters whose
 * values do not look personal; drops the fragment and any credentials. The kept part is
 * returned as written (no re-encoding), so what is stored is a substring of what was sent.
 * undefined when it is not an http(s) URL, has credentials, or its path looks personal.
 */
export function cleanUrl(href: unknown, extra?: ReadonlySet<string>): string | undefined {
  if (typeof href !== "string" || href === "") return undefined;
  const hash = href.indexOf("#");
  const noHash = hash >= 0 ? href.slice(0, hash) : href;
  const q = noHash.indexOf("?");
  const base = q >= 0 ? noHash.slice(0, q) : noHash;
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    return undefined;
  }
  if ((u.protocol !== "https:" && u.protocol !== "http:") || u.username || u.password) return undefined;
  if (personal(base)) return undefined;
  const kept = (q >= 0 ? noHash.slice(q + 1) : "").split("&").filter((pair) => {
    if (!pair) return false;
    const eq = pair.indexOf("=");
    const key = decodeLoose(eq >= 0 ? pair.slice(0, eq) : pair);
    return queryParamAllowed(key, extra) && !personal(eq >= 0 ? pair.slice(eq + 1) : "");
  });
  return base + (kept.length ? "?" + kept.join("&") : "");
}

/** A free-text value kept only when it does not look personal. */
export const keepText = (v: string | null | undefined): string | undefined => (typeof v === "string" && v !== "" && !personal(v) ? v : undefined);

/** Flat props without personal-looking keys or values (numbers are checked as written). */
export function cleanProps<V>(props: Record<string, V>): Record<string, V> {
  // No prototype: a "__proto__" prop stays an ordinary key.
  const out = Object.create(null) as Record<string, V>;
  for (const k of Object.keys(props)) {
    const v = props[k];
    if (isPersonalKey(k)) continue;
    if ((typeof v === "string" || typeof v === "number") && personal(String(v))) continue;
    out[k] = v;
  }
  return out;
}

/**
 * The visitor id the Shopify pixel sends (`event.clientId`): a UUID, any case. Anything
 * else did not come from a pixel and is refused rather than stored.
 */
export const CLIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
