import { describe, expect, it } from "vitest";
import { DraftCountCache } from "../../app/services/funnel-builder.server";

/** A count that records each time it is read. */
function counter(result: number[] = [3, 2]) {
  let reads = 0;
  return {
    read: async () => {
      reads++;
      return result;
    },
    get reads() {
      return reads;
    },
  };
}

describe("the builder's live-count cache", () => {
  it("reads a draft once within the TTL, again after it", async () => {
    const cache = new DraftCountCache(30_000);
    const c = counter();
    expect(await cache.counts("a", 0, c.read)).toEqual([3, 2]);
    expect(await cache.counts("a", 29_999, c.read)).toEqual([3, 2]);
    expect(c.reads).toBe(1);
    await cache.counts("a", 30_000, c.read);
    expect(c.reads).toBe(2);
  });

  it("keeps drafts (and shops, part of the key) apart", async () => {
    const cache = new DraftCountCache();
    expect(await cache.counts('[1,"x"]', 0, async () => [5])).toEqual([5]);
    expect(await cache.counts('[2,"x"]', 0, async () => [7])).toEqual([7]);
    expect(await cache.counts('[1,"x"]', 1, async () => [0])).toEqual([5]);
  });

  it("lets a request for a draft being counted wait for that count", async () => {
    const cache = new DraftCountCache();
    let release!: (v: number[]) => void;
    let reads = 0;
    const slow = () => {
      reads++;
      return new Promise<number[]>((r) => (release = r));
    };
    const both = Promise.all([cache.counts("a", 0, slow), cache.counts("a", 5, slow)]);
    release([4]);
    expect(await both).toEqual([[4], [4]]);
    expect(reads).toBe(1);
  });

  it("does not keep a failed count", async () => {
    const cache = new DraftCountCache();
    await expect(cache.counts("a", 0, async () => Promise.reject(new Error("database gone")))).rejects.toThrow("database gone");
    await Promise.resolve();
    expect(await cache.counts("a", 1, async () => [1])).toEqual([1]);
  });

  it("holds at most maxEntries drafts, dropping the oldest", async () => {
    const cache = new DraftCountCache(30_000, 2);
    const c = counter();
    for (const key of ["a", "b", "c"]) await cache.counts(key, 0, c.read);
    expect(cache.size).toBe(2);
    await cache.counts("a", 1, c.read);
    expect(c.reads).toBe(4);
    await cache.counts("c", 1, c.read);
    expect(c.reads).toBe(4);
  });
});
