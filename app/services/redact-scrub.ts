/**
 * Pure helpers for customers/redact: remove one customer's id from stored text and JSON.
 * A customer id is matched in the forms Shopify uses: the number ("777") and the
 * GraphQL GID ("gid://shopify/Customer/777").
 */

export function customerIdForms(customerId: string): string[] {
  return [customerId, `gid://shopify/Customer/${customerId}`];
}

const isId = (value: unknown, forms: string[]) =>
  (typeof value === "string" && forms.includes(value.trim())) || (typeof value === "number" && forms.includes(String(value)));

/** Removes, at any depth, array elements and object entries whose value is the customer's id. */
export function scrubJsonValue(value: unknown, forms: string[]): { value: unknown; changed: boolean } {
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const item of value) {
      if (isId(item, forms) || (isObject(item) && isId(item.id, forms))) {
        changed = true;
        continue;
      }
      const inner = scrubJsonValue(item, forms);
      changed ||= inner.changed;
      out.push(inner.value);
    }
    return { value: out, changed };
  }
  if (isObject(value)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (isId(item, forms)) {
        changed = true;
        continue;
      }
      const inner = scrubJsonValue(item, forms);
      changed ||= inner.changed;
      out[key] = inner.value;
    }
    return { value: out, changed };
  }
  if (typeof value === "string" && forms.some((f) => f.startsWith("gid:") && value.includes(f))) {
    return { value: scrubText(value, forms), changed: true };
  }
  return { value, changed: false };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Stored JSON text with the customer's id removed; null when it does not parse or holds no id. */
export function scrubJsonText(text: string | null, forms: string[]): string | null {
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return scrubText(text, forms) === text ? null : scrubText(text, forms);
  }
  const { value, changed } = scrubJsonValue(parsed, forms);
  return changed ? JSON.stringify(value) : null;
}

/** Free text (an error message) with every whole occurrence of the id replaced. */
export function scrubText(text: string, forms: string[]): string {
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    const escaped = form.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    out = out.replace(new RegExp(`(?<!\\w)${escaped}(?!\\w)`, "g"), "[redacted customer]");
  }
  return out;
}

/** A stored URL with the query parameters whose value is the customer's id removed; null when unchanged. */
export function scrubUrl(url: string | null, forms: string[]): string | null {
  if (url === null) return null;
  const q = url.indexOf("?");
  if (q < 0) return null;
  const hash = url.indexOf("#", q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const kept = query.split("&").filter((pair) => {
    const raw = pair.slice(pair.indexOf("=") + 1);
    let value = raw;
    try {
      value = decodeURIComponent(raw.replace(/\+/g, " "));
    } catch {
      /* keep the raw text */
    }
    return !(pair.includes("=") && forms.includes(value.trim()));
  });
  if (kept.length === query.split("&").length) return null;
  return url.slice(0, kept.length ? q + 1 : q) + kept.join("&") + (hash < 0 ? "" : url.slice(hash));
}

/**
 * An audience sync cursor (app/services/audiences/sync.server.ts) without the customer:
 * removed from every id list and from the recorded errors; a running plan's positions
 * (addNext/removeNext) move back by the entries removed before them, so the run resumes
 * at the same place. Null when the cursor does not hold the customer.
 */
export function scrubSyncCursor(cursor: string | null, forms: string[]): string | null {
  if (cursor === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    return scrubText(cursor, forms) === cursor ? null : scrubText(cursor, forms);
  }
  if (!isObject(parsed)) return scrubJsonText(cursor, forms);
  const state = { ...parsed };
  for (const [list, next] of [
    ["add", "addNext"],
    ["remove", "removeNext"],
  ] as const) {
    const items = state[list];
    const position = state[next];
    if (Array.isArray(items) && typeof position === "number") {
      const before = items.slice(0, position).filter((item) => isId(item, forms)).length;
      state[next] = position - before;
    }
  }
  const { value, changed } = scrubJsonValue(state, forms);
  return changed ? JSON.stringify(value) : null;
}
