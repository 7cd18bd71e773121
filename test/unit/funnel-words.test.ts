/**
 * The builder and report in the merchant's words: the one event catalog, the definition
 * as a sentence, and where a validation error is.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { catalogEvent, choiceOf, EVENT_CATALOG, eventLabel, SCROLL_EVENT } from "../../core/event-catalog";
import { STANDARD_EVENTS } from "../../core/events";
import { funnelInWords, matcherInWords, windowInWords } from "../../core/funnel/describe";
import { errorSummary, fieldPlace } from "../../core/funnel/field-errors";
import { MICRO_CATALOG, microsFor, goalByKey } from "../../core/insights/catalog";
import { FUNNEL_TEMPLATES, KNOWN_EVENT_NAMES, validateFunnelInput } from "../../app/services/funnels.server";
import type { StepMatcher } from "../../core/types";

const ev = (event: string, ...filters: StepMatcher["filters"]): StepMatcher => ({ event, filters });
const root = path.resolve(import.meta.dirname, "../..");

describe("event catalog", () => {
  it("has a label and a one-line description for every standard event and every mc:* event the docs list", () => {
    const documented = [...readFileSync(path.join(root, "docs/event-schema.md"), "utf8").matchAll(/`(mc:[a-z_]+)`/g)].map((m) => m[1]);
    const embed = [...readFileSync(path.join(root, "extensions/theme-embed/assets/micro-conversions.js"), "utf8").matchAll(/publish\("([a-z_]+)"/g)].map(
      (m) => `mc:${m[1]}`,
    );
    expect(embed.length).toBeGreaterThan(3);
    for (const name of new Set([...STANDARD_EVENTS, ...documented, ...embed])) {
      const e = catalogEvent(name);
      expect(e, name).not.toBeNull();
      expect(e!.label).toMatch(/^[A-Z]/);
      expect(e!.label).not.toContain("_");
      expect(e!.description).toMatch(/\.$/);
      expect(e!.description).not.toContain("\n");
      expect(e!.phrase).toMatch(/^[a-z]/);
    }
    expect(new Set(EVENT_CATALOG.map((e) => e.name)).size).toBe(EVENT_CATALOG.length);
    expect(KNOWN_EVENT_NAMES).toEqual(EVENT_CATALOG.map((e) => e.name));
  });

  it("is where insights take their labels from", () => {
    for (const m of MICRO_CATALOG.filter((m) => m.anyOf.length === 1 && m.anyOf[0].filters.length === 0)) {
      expect(m.label, m.key).toBe(eventLabel(m.anyOf[0].event));
    }
    expect(microsFor(goalByKey("purchase")!, ["mc:quiz_done"]).at(-1)!.label).toBe("Custom event mc:quiz_done");
    expect(eventLabel("mc:quiz_done")).toBe("Custom event mc:quiz_done");
    expect(eventLabel("product_viewed")).toBe("Viewed a product");
  });

  it("offers scroll depth as 50 / 75 / 90 choices, read back from a prop filter", () => {
    expect(catalogEvent(SCROLL_EVENT)!.choice!.options.map((o) => o.value)).toEqual(["50", "75", "90"]);
    const picked = choiceOf(ev(SCROLL_EVENT, { field: "prop", key: "percent", op: "equals", value: "75" }));
    expect(picked?.option.label).toBe("At least 75 %");
    expect(choiceOf(ev(SCROLL_EVENT, { field: "prop", key: "percent", op: "equals", value: "60" }))).toBeNull();
    expect(choiceOf(ev("product_viewed", { field: "prop", key: "percent", op: "equals", value: "75" }))).toBeNull();
  });
});

describe("definition in words", () => {
  it("says what a session funnel counts", () => {
    const words = funnelInWords(FUNNEL_TEMPLATES.find((t) => t.key === "purchase")!.input);
    expect(words.sentence).toBe(
      "Sessions that viewed a product, then added it to the cart, then started checkout, then purchased, in this order, within the same visit (a visit ends after 30 minutes without activity).",
    );
    expect(words.steps).toEqual(["viewed a product", "added it to the cart", "started checkout", "purchased"]);
  });

  it("says what a visitor funnel counts, with its window, alternatives, filters and choices", () => {
    const words = funnelInWords({
      unit: "visitor",
      windowMinutes: 30,
      steps: [
        {
          label: "Read",
          anyOf: [
            ev(SCROLL_EVENT, { field: "prop", key: "percent", op: "equals", value: "75" }),
            ev("page_viewed", { field: "path", op: "startsWith", value: "/blogs" }),
          ],
        },
        { label: "Mug", anyOf: [ev("product_viewed", { field: "productId", op: "equals", value: "101", title: "Stoneware Mug" })] },
        { label: "Signup", anyOf: [ev("mc:form_submit", { field: "prop", key: "formType", op: "equals", value: "customer" })] },
        { label: "Quiz", anyOf: [ev("mc:quiz_done", { field: "path", op: "contains", value: "quiz" })] },
      ],
    });
    expect(words.steps).toEqual([
      "scrolled at least 75 % down a page or viewed a page (on a page under /blogs)",
      "viewed a product (product “Stoneware Mug”)",
      "signed up for the newsletter",
      "sent the event mc:quiz_done (on a page whose address contains “quiz”)",
    ]);
    expect(words.sentence).toMatch(
      /^Visitors who scrolled at least 75 % down a page or .*, then viewed a product .*, then signed up for the newsletter, then sent the event mc:quiz_done .*, in this order, with the last step within 30 minutes of the first, across visits\.$/,
    );
  });

  it("names picked collections and products, and products without a title by id", () => {
    expect(matcherInWords(ev("collection_viewed", { field: "path", op: "startsWith", value: "/collections/all", title: "All products" }))).toBe(
      "viewed a collection (collection “All products”)",
    );
    expect(matcherInWords(ev("product_added_to_cart", { field: "productId", op: "equals", value: "7" }))).toBe("added it to the cart (product id 7)");
    expect(matcherInWords(ev("page_viewed", { field: "path", op: "equals", value: "/pages/faq" }))).toBe("viewed a page (on the page /pages/faq)");
    expect(matcherInWords(ev(""))).toBe("… (no event chosen yet)");
  });

  it("writes windows in the largest whole unit", () => {
    expect([1, 30, 60, 90, 120, 1440, 10080, 129600].map(windowInWords)).toEqual([
      "1 minute",
      "30 minutes",
      "1 hour",
      "90 minutes",
      "2 hours",
      "1 day",
      "7 days",
      "90 days",
    ]);
  });
});

describe("errors in plain words", () => {
  it("names the field instead of its path", () => {
    expect(fieldPlace("steps.2.anyOf.0.event")).toBe("Step 3, event");
    expect(fieldPlace("steps.2.anyOf.1.event")).toBe("Step 3, alternative 2, event");
    expect(fieldPlace("steps.0.anyOf.0.filters.1.value")).toBe("Step 1, filter 2, value");
    expect(fieldPlace("steps.1.label")).toBe("Step 2, label");
    expect(fieldPlace("windowMinutes")).toBe("Conversion window");
    expect(fieldPlace("name")).toBe("Funnel name");
    expect(fieldPlace("")).toBe("The funnel");
  });

  it("lists every problem in form order, with no developer paths in the message", () => {
    const r = validateFunnelInput({
      name: "",
      unit: "session",
      steps: [
        { label: "A", anyOf: [{ event: "product_viewed" }] },
        { label: "B", anyOf: [{ event: "" }] },
        { label: "", anyOf: [{ event: "mc:scroll_depth", filters: [{ field: "email", op: "equals", value: "x" }] }] },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fieldErrors["steps.1.anyOf.0.event"]).toBe("Choose an event");
    expect(errorSummary(r.fieldErrors)).toEqual([
      "Funnel name: Funnel name must not be empty",
      "Step 2, event: Choose an event",
      "Step 3, label: Step label must not be empty",
      expect.stringMatching(/^Step 3, filter 1, what to filter on: choose what to filter on: page, product or event property/),
    ]);
    expect(r.error).toMatch(/^The funnel was not saved — Funnel name: Funnel name must not be empty \(and 3 more: Step 2, event: Choose an event; /);
    expect(r.error).not.toMatch(/steps\.\d|anyOf/);
  });
});
