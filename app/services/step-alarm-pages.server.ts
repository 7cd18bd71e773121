/**
 * The step alarm's alerts as the pages and the report JSON show them: each with its sentence
 * in the shop's zone and locale (app/lib/alert-text.ts).
 */
import { formatter } from "../lib/funnel-format";
import { alertSentence, alertStatusWords } from "../lib/alert-text";
import { listAlerts, type AlertView } from "./step-alarm.server";
import type { ResultsDeps } from "./funnel-results/state.server";

export type AlertWithWords = AlertView & { sentence: string; statusWords: string };

/** Open alerts of the shop (of one funnel when given), or its whole history, newest first. */
export async function shopAlerts(
  deps: { db: ResultsDeps["db"] },
  shop: { id: number; timeZone: string; locale?: string | null },
  opts: { status?: "open"; funnelId?: string } = {},
): Promise<AlertWithWords[]> {
  const f = formatter(shop.locale);
  const alerts = await listAlerts(deps.db, shop.id, opts);
  return alerts.map((a) => ({ ...a, sentence: alertSentence(a, f, shop.timeZone), statusWords: alertStatusWords(a, f, shop.timeZone) }));
}
