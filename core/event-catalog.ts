/**
 * The one catalog of events in the merchant's words: every standard Shopify event the
 * pixel forwards (core/events.ts) and every `mc:*` event the theme embed publishes
 * (docs/event-schema.md), each with a label, a one-line description and the phrase a
 * sentence uses ("viewed a product"). The funnel builder, the definition in words and the
 * insights catalog (core/insights/catalog.ts) all read it, so an event is called the same
 * everywhere.
 */
import { CUSTOM_PREFIX, STANDARD_EVENTS } from "./events";
import type { StepFilter, StepMatcher } from "./types";

/** A property the merchant picks from a short list instead of typing a filter (scroll 50/75/90). */
export interface EventChoice {
  /** The event property the choice filters on (`props[key] = value`). */
  key: string;
  /** The control's label, e.g. "How far down the page". */
  label: string;
  /** First option: no filter. */
  anyLabel: string;
  options: { value: string; label: string; phrase: string }[];
}

export interface CatalogEvent {
  name: string;
  /** Short label, a past-tense action: "Viewed a product". */
  label: string;
  /** One line: what makes the event happen. */
  description: string;
  /** Lower-case phrase for sentences: "viewed a product". */
  phrase: string;
  group: "Browsing" | "Cart and checkout" | "Engagement";
  /** Where it comes from: Shopify's standard events or the app's theme embed. */
  source: "shopify" | "theme-embed";
  choice?: EventChoice;
}

export const SCROLL_EVENT = "mc:scroll_depth";
export const SCROLL_MARKS = ["50", "75", "90"] as const;

export const EVENT_CATALOG: readonly CatalogEvent[] = [
  {
    name: "page_viewed",
    label: "Viewed a page",
    description: "Any page of the online store was loaded.",
    phrase: "viewed a page",
    group: "Browsing",
    source: "shopify",
  },
  {
    name: "product_viewed",
    label: "Viewed a product",
    description: "A product page was shown.",
    phrase: "viewed a product",
    group: "Browsing",
    source: "shopify",
  },
  {
    name: "collection_viewed",
    label: "Viewed a collection",
    description: "A collection page (a list of products) was shown.",
    phrase: "viewed a collection",
    group: "Browsing",
    source: "shopify",
  },
  {
    name: "search_submitted",
    label: "Searched the store",
    description: "A search was run from the store's search box.",
    phrase: "searched the store",
    group: "Browsing",
    source: "shopify",
  },
  {
    name: "product_added_to_cart",
    label: "Added to cart",
    description: "A product was added to the cart.",
    phrase: "added it to the cart",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: "product_removed_from_cart",
    label: "Removed from cart",
    description: "A product was taken out of the cart.",
    phrase: "removed a product from the cart",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: "cart_viewed",
    label: "Viewed the cart",
    description: "The cart page was opened.",
    phrase: "viewed the cart",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: "checkout_started",
    label: "Started checkout",
    description: "The checkout was opened from the cart or a Buy button.",
    phrase: "started checkout",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: "checkout_contact_info_submitted",
    label: "Entered checkout contact info",
    description: "The email or phone step of checkout was completed.",
    phrase: "entered their contact info at checkout",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: "checkout_address_info_submitted",
    label: "Entered a shipping address",
    description: "The address step of checkout was completed.",
    phrase: "entered a shipping address",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: "checkout_shipping_info_submitted",
    label: "Chose a shipping method",
    description: "The shipping step of checkout was completed.",
    phrase: "chose a shipping method",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: "payment_info_submitted",
    label: "Entered payment info",
    description: "The payment step of checkout was completed.",
    phrase: "entered payment info",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: "checkout_completed",
    label: "Purchased",
    description: "The order was placed (the thank-you page).",
    phrase: "purchased",
    group: "Cart and checkout",
    source: "shopify",
  },
  {
    name: SCROLL_EVENT,
    label: "Scrolled down a page",
    description: "The visitor scrolled to 50 %, 75 % or 90 % of a page (each mark passed counts).",
    phrase: "scrolled down a page",
    group: "Engagement",
    source: "theme-embed",
    choice: {
      key: "percent",
      label: "How far down the page",
      anyLabel: "Any depth (50 % or more)",
      options: SCROLL_MARKS.map((m) => ({ value: m, label: `At least ${m} %`, phrase: `scrolled at least ${m} % down a page` })),
    },
  },
  {
    name: "mc:video_play",
    label: "Played a video",
    description: "A video on the page started playing.",
    phrase: "played a video",
    group: "Engagement",
    source: "theme-embed",
  },
  {
    name: "mc:file_download",
    label: "Downloaded a file",
    description: "A link to a file (PDF, ZIP…) was clicked.",
    phrase: "downloaded a file",
    group: "Engagement",
    source: "theme-embed",
  },
  {
    name: "mc:outbound_click",
    label: "Clicked an outbound link",
    description: "A link to another website was clicked.",
    phrase: "clicked a link to another site",
    group: "Engagement",
    source: "theme-embed",
  },
  {
    name: "mc:form_start",
    label: "Started a form",
    description: "The first field of a form was typed into.",
    phrase: "started a form",
    group: "Engagement",
    source: "theme-embed",
  },
  {
    name: "mc:form_submit",
    label: "Submitted a form",
    description: "A form was sent (newsletter, contact or another).",
    phrase: "submitted a form",
    group: "Engagement",
    source: "theme-embed",
    choice: {
      key: "formType",
      label: "Which form",
      anyLabel: "Any form",
      options: [
        { value: "customer", label: "Newsletter signup", phrase: "signed up for the newsletter" },
        { value: "contact", label: "Contact form", phrase: "sent the contact form" },
      ],
    },
  },
  {
    name: "mc:wishlist_add",
    label: "Added to wishlist",
    description: "The theme's wishlist button was clicked.",
    phrase: "added a product to the wishlist",
    group: "Engagement",
    source: "theme-embed",
  },
  {
    name: "mc:experiment_view",
    label: "Saw an experiment variant",
    description: "The store showed an A/B test variant (sent by your theme's code).",
    phrase: "saw an experiment variant",
    group: "Engagement",
    source: "theme-embed",
  },
];

const BY_NAME = new Map(EVENT_CATALOG.map((e) => [e.name, e]));

export function catalogEvent(name: string): CatalogEvent | null {
  return BY_NAME.get(name) ?? null;
}

/** Label of any event name: the catalog's, else "Custom event mc:quiz_done" / the raw name. */
export function eventLabel(name: string): string {
  const e = BY_NAME.get(name);
  if (e) return e.label;
  return name.startsWith(CUSTOM_PREFIX) ? `Custom event ${name}` : name;
}

/** Every standard event the pixel forwards has an entry (checked by the unit tests too). */
export const CATALOG_COVERS_STANDARD = STANDARD_EVENTS.every((n) => BY_NAME.has(n));

/** The catalog choice a matcher's filter expresses (scroll 75 %), or null. */
export function choiceOf(m: Pick<StepMatcher, "event" | "filters">): { filter: StepFilter & { field: "prop" }; option: EventChoice["options"][number] } | null {
  const choice = BY_NAME.get(m.event)?.choice;
  if (!choice) return null;
  for (const f of m.filters) {
    if (f.field !== "prop" || f.key !== choice.key) continue;
    const option = choice.options.find((o) => o.value === f.value);
    if (option) return { filter: f, option };
  }
  return null;
}
