/** Fragments of the refresher's reads of stale visitors (files starting with _ are not queries). */
import { listParams } from "../sql";

/** `WITH v("clientId") AS (VALUES (:c0), …)` for `count` visitors. */
export const visitorsCte = (count: number): string => `WITH v("clientId") AS (VALUES ${Array.from({ length: count }, (_, i) => `(:c${i})`).join(", ")})`;

/** The parameters of visitorsCte(clientIds.length). */
export const visitorParams = (clientIds: readonly string[]): Record<string, unknown> => listParams("c", clientIds);
