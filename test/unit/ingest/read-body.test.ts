import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readCappedBody } from "../../../ingest/read-body";

const bytes = (n: number) => new Uint8Array(n).fill(0x61);

/** A web stream of `chunks` that records how many were pulled and whether it was cancelled. */
function webStream(chunks: Uint8Array[]) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled < chunks.length) controller.enqueue(chunks[seen.pulled++]);
      else controller.close();
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream: stream as unknown as AsyncIterable<Uint8Array>, seen };
}

describe("readCappedBody (the one body reader of /collect, Node and fetch requests)", () => {
  it("returns the body as text up to the limit, from a web stream and from a Node stream", async () => {
    expect(await readCappedBody(webStream([bytes(6), bytes(4)]).stream, 0, 10)).toBe("a".repeat(10));
    expect(await readCappedBody(Readable.from([Buffer.from("hé"), Buffer.from("llo")]), 0, 10)).toBe("héllo");
    expect(await readCappedBody(null, 0, 10)).toBe("");
  });

  it("refuses a body over the limit, reading on to the drain size so the client hears the answer", async () => {
    const { stream, seen } = webStream([bytes(8), bytes(8), bytes(8)]);
    expect(await readCappedBody(stream, 0, 10, 100)).toBeNull();
    expect(seen.pulled).toBe(3);
  });

  it("stops reading past the drain size, and at once when the declared length is past it", async () => {
    const { stream, seen } = webStream([bytes(8), bytes(8), bytes(8), bytes(8)]);
    expect(await readCappedBody(stream, 0, 10, 12)).toBeNull();
    expect(seen.pulled).toBeLessThan(4); // the stream may have pulled one chunk ahead
    expect(seen.cancelled).toBe(true);
    const unread: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        throw new Error("the body was read");
      },
    };
    expect(await readCappedBody(unread, 13, 10, 12)).toBeNull();
  });
});
