import type { ActionFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop } from "../services/shops.server";
import { RANGE_PRESETS } from "../services/date-range";
import { createDropOffAudience } from "../services/audiences/audiences.server";
import { RequestError } from "../services/request-error";
import { appContext } from "../context.server";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const formSchema = z.object({
  step: z.coerce.number({ error: "step must be a step number" }).int("step must be a whole step number"),
  range: z.enum(RANGE_PRESETS, { error: `range must be one of ${RANGE_PRESETS.join(", ")}` }),
  from: z.string().regex(DAY, "from must be a date as YYYY-MM-DD").optional(),
  to: z.string().regex(DAY, "to must be a date as YYYY-MM-DD").optional(),
});

/**
 * "Make an audience of these drop-offs" from the funnel report (POST only): the settled
 * drop-offs of `step` over the report's range, then the audience page.
 */
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const raw = Object.fromEntries([...(await readForm(request)).entries()].filter(([, v]) => v !== ""));
  const parsed = formSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return json({ error: `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}` }, { status: 400 });
  }
  const f = parsed.data;
  try {
    const audience = await createDropOffAudience(appContext().db, shop, {
      funnelId: params.id ?? "",
      step: f.step,
      range: { range: f.range, from: f.from ?? null, to: f.to ?? null },
    });
    return redirect(`/app/audiences/${audience.id}`);
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};
