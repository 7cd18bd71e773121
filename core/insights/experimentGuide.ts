/**
 * The Experiments page's setup guide: copy-paste code that sends the exposure event the
 * readout reads (`mc:experiment_view` with props `experiment` and `variant`, see
 * docs/insights.md). Custom events published with Shopify.analytics.publish reach the
 * app's web pixel (all_custom_events), which forwards `mc:*` events with their
 * customData as props. Prop keys that look like personal data (containing "name",
 * "email", "phone", "address", "zip"…) are dropped by the pixel, so the keys are exactly
 * `experiment` and `variant`.
 */
import { EXPERIMENT_EVENT } from "./catalog";

/** JS for a theme, app or A/B tool: run once when the visitor sees the variant. */
export function publishSnippet(experiment = "homepage-hero", variant = "control"): string {
  return [
    "// Run once when the visitor sees the variant (e.g. after your A/B tool picked it).",
    `Shopify.analytics.publish(${JSON.stringify(EXPERIMENT_EVENT)}, {`,
    `  experiment: ${JSON.stringify(experiment)}, // the test's name: the same for every variant`,
    `  variant: ${JSON.stringify(variant)}, // "control" for the original, any other name for a change`,
    "});",
  ].join("\n");
}

/**
 * A theme section (sections/mc-experiment.liquid) that runs a two-variant test on its
 * own: it shows one of two texts, keeps the visitor's variant in localStorage so a
 * return visit sees the same one, and publishes the exposure. Everything the merchant
 * types is escaped; the variant is chosen in the browser, so page caching is no issue.
 */
export const SECTION_SNIPPET = `{%- comment -%} sections/mc-experiment.liquid: a two-variant text test {%- endcomment -%}
<div class="page-width mc-experiment" data-experiment="{{ section.settings.experiment | escape }}">
  <div data-variant="control" hidden>{{ section.settings.control_text | escape }}</div>
  <div data-variant="{{ section.settings.variant_key | escape }}" hidden>{{ section.settings.variant_text | escape }}</div>
</div>
<script>
  (function () {
    var root = document.currentScript.previousElementSibling;
    var experiment = root.getAttribute('data-experiment');
    var arms = Array.prototype.slice.call(root.querySelectorAll('[data-variant]'));
    var key = 'mc-experiment:' + experiment;
    var chosen = null;
    try { chosen = localStorage.getItem(key); } catch (e) {}
    var arm = arms.filter(function (el) { return el.getAttribute('data-variant') === chosen; })[0];
    if (!arm) {
      arm = arms[Math.floor(Math.random() * arms.length)];
      try { localStorage.setItem(key, arm.getAttribute('data-variant')); } catch (e) {}
    }
    arm.hidden = false;
    function send() {
      window.Shopify.analytics.publish('${EXPERIMENT_EVENT}', { experiment: experiment, variant: arm.getAttribute('data-variant') });
    }
    if (window.Shopify && window.Shopify.analytics) send();
    else document.addEventListener('DOMContentLoaded', send);
  })();
</script>

{% schema %}
{
  "name": "Experiment (A/B text)",
  "settings": [
    { "type": "text", "id": "experiment", "label": "Experiment", "default": "homepage-message" },
    { "type": "text", "id": "control_text", "label": "Original text (control)", "default": "Free returns within 30 days" },
    { "type": "text", "id": "variant_key", "label": "Variant key", "default": "free-shipping" },
    { "type": "text", "id": "variant_text", "label": "Variant text", "default": "Free shipping on every order" }
  ],
  "presets": [{ "name": "Experiment (A/B text)" }]
}
{% endschema %}
`;

/** `?funnel=template` on the Experiments page: the readout on the Purchase template. */
export const TEMPLATE_CHOICE = "template";
