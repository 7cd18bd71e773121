/**
 * Reads a request body of at most `max` bytes, from Node's IncomingMessage or a fetch
 * Request's stream (both are async iterables of byte chunks); null when it is larger,
 * keeping none of the excess. Up to `drain` bytes are read to the end and dropped, so the
 * client is still reading when the 413 comes; past that (declared or sent) reading stops.
 */
export async function readCappedBody(body: AsyncIterable<Uint8Array> | null, declaredLength: number, max: number, drain = max): Promise<string | null> {
  if (declaredLength > drain) return null;
  if (!body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > drain) return null; // leaving the loop destroys/cancels the stream
    if (size <= max) chunks.push(chunk);
  }
  return size > max ? null : Buffer.concat(chunks).toString("utf8");
}
