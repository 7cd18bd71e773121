import { describe, expect, it } from "vitest";
import { customerIdForms, scrubJsonText, scrubSyncCursor, scrubText, scrubUrl } from "../../app/services/redact-scrub";

const forms = customerIdForms("777");

describe("redact scrubbing", () => {
  it("drops query parameters whose value is the id, in either form, and keeps the rest", () => {
    expect(scrubUrl("https://s.example/a?customer=777&x=1#top", forms)).toBe("https://s.example/a?x=1#top");
    expect(scrubUrl("https://s.example/a?c=gid%3A%2F%2Fshopify%2FCustomer%2F777", forms)).toBe("https://s.example/a");
    expect(scrubUrl("/a?x=7777&y=1777", forms)).toBeNull();
    expect(scrubUrl("/a?777", forms)).toBeNull();
    expect(scrubUrl("/a?bad=%E0%A4%A&c=777", forms)).toBe("/a?bad=%E0%A4%A");
    expect(scrubUrl(null, forms)).toBeNull();
  });

  it("removes the id's values from JSON at any depth, never look-alikes", () => {
    expect(
      JSON.parse(scrubJsonText(JSON.stringify({ a: 777, b: "777", c: ["777", 7770, { id: "777", k: 1 }], d: "gid://shopify/Customer/777", e: "x" }), forms)!),
    ).toEqual({ c: [7770], e: "x" });
    expect(scrubJsonText(JSON.stringify({ a: 7777, b: "1777" }), forms)).toBeNull();
    expect(scrubJsonText("not json 777", forms)).toBe("not json [redacted customer]");
  });

  it("replaces whole occurrences in free text", () => {
    expect(scrubText("gid://shopify/Customer/777 and 777 but not 7777 or /777x; customers/777", forms)).toBe(
      "[redacted customer] and [redacted customer] but not 7777 or /777x; customers/[redacted customer]",
    );
  });

  it("keeps a running sync plan's position on the entries that remain", () => {
    const cursor = JSON.stringify({ v: 1, add: ["1", "777", "2", "3"], addNext: 3, remove: ["777", "4"], removeNext: 0, keep: [] });
    expect(JSON.parse(scrubSyncCursor(cursor, forms)!)).toMatchObject({ add: ["1", "2", "3"], addNext: 2, remove: ["4"], removeNext: 0 });
    expect(scrubSyncCursor(JSON.stringify({ v: 1, add: ["1"], addNext: 0 }), forms)).toBeNull();
  });
});
