/**
 * A background job of the production server: first run shortly after start (start-up and
 * the first requests come first), then every `intervalMs`. Runs never overlap (a slow run
 * skips the next tick), a failure is logged and the next tick tries again, and the timers
 * never keep the process alive. Returns the function that stops it.
 */
const FIRST_RUN_DELAY_MS = 60_000;

export function startPeriodicJob(opts: { name: string; intervalMs: number; run(): Promise<void> }): () => void {
  let running = false;
  let interval: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await opts.run();
    } catch (error) {
      // Only the message: errors from the driver can carry connection details.
      console.error(`[${opts.name}] run failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(
    () => {
      void tick();
      interval = setInterval(() => void tick(), opts.intervalMs);
      interval.unref();
    },
    Math.min(FIRST_RUN_DELAY_MS, opts.intervalMs),
  );
  first.unref();
  return () => {
    clearTimeout(first);
    clearInterval(interval);
  };
}
