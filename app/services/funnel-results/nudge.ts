/**
 * Tells this process's background refresher (refresher.server.ts) that there is new work
 * — a funnel was created — so it runs now instead of at its next period. No imports: the
 * funnel services call it without depending on the refresher. Without a refresher in the
 * process (scripts, tests) it does nothing; another process's refresher finds the funnel
 * at its next period.
 */
const listeners = new Set<() => void>();

export function nudgeResultsRefresher(): void {
  for (const listener of listeners) listener();
}

/** Registers a refresher; returns its removal. */
export function onNudge(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

const readyListeners = new Set<(shopId: number) => void>();

/** A build finished: some funnel of the shop has its results ready (state.server.ts finishBuilds). */
export function announceResultsReady(shopId: number): void {
  for (const listener of readyListeners) listener(shopId);
}

/** Registers a listener for finished builds (the step alarm checks the shop at once); returns its removal. */
export function onResultsReady(listener: (shopId: number) => void): () => void {
  readyListeners.add(listener);
  return () => {
    readyListeners.delete(listener);
  };
}
