/**
 * Progress for long steps. On a terminal one line is rewritten in place; in a log
 * (CI, a pipe) a line is printed at most every few seconds, plus the final one.
 */
const tty = Boolean(process.stdout.isTTY);

export interface Progress {
  update(text: string): void;
  done(text?: string): void;
}

export function progress(label: string, everyMs = 5_000): Progress {
  let last = 0;
  let shown = "";
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  return {
    update(text) {
      const now = Date.now();
      const line = `  ${label}: ${text} (${elapsed()})`;
      if (tty) {
        process.stdout.write(`\r\x1b[2K${line}`);
        shown = line;
      } else if (now - last >= everyMs) {
        console.log(line);
        last = now;
      }
    },
    done(text) {
      const line = `  ${label}: ${text ?? "done"} (${elapsed()})`;
      if (tty && shown) process.stdout.write(`\r\x1b[2K`);
      console.log(line);
    },
  };
}

/** Runs `fn` while printing a heartbeat for steps that cannot report their own progress. */
export async function withHeartbeat<T>(label: string, fn: () => Promise<T>, everyMs = 10_000): Promise<T> {
  const p = progress(label, everyMs);
  const timer = setInterval(() => p.update("running"), tty ? 1_000 : everyMs);
  try {
    const result = await fn();
    p.done();
    return result;
  } finally {
    clearInterval(timer);
  }
}
