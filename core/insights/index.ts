/**
 * Micro-conversion insights, pure: value of each micro step, testing planner over the
 * shop's own baselines, experiment readout, remarketing audiences and the sync's plan.
 * No Prisma, no clock (`now` is an argument), no node:*. See docs/insights.md.
 */
export * from "./catalog";
export * from "./visitors";
export * from "./microValue";
export * from "./planner";
export * from "./experiments";
export * from "./audiences";
export * from "./sync";
export * from "./csv";
export * from "./ranges";
export * from "./prefill";
export * from "./experimentGuide";
