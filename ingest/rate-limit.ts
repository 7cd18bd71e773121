/**
 * Token buckets keyed by shop and by client IP (pure: the clock is passed in). A
 * storefront pixel sends a few requests per page; sustained floods get 429s.
 */
export interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  /** `ratePerSec` refill, up to `burst` saved; at most `maxKeys` tracked (oldest evicted). */
  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly maxKeys = 50_000,
  ) {}

  /** Takes one token; when none is left, returns the seconds until one is. */
  take(key: string, now: number): { ok: true } | { ok: false; retryAfterSec: number } {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.burst, updated: now };
      this.buckets.set(key, b);
    }
    // Concurrent requests may present their clocks out of order: never refill backwards.
    const elapsed = Math.max(0, now - b.updated);
    b.tokens = Math.min(this.burst, b.tokens + (elapsed / 1000) * this.ratePerSec);
    b.updated = Math.max(b.updated, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSec)) };
  }
}
