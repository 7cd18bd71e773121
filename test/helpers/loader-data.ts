/**
 * A Remix loader's `_data` answer as one object. A loader that defers answers as
 * text/remix-deferred: the critical data as JSON, then one `data:{key: value}` chunk per
 * settled promise (an `error:` chunk for a rejected one, thrown here).
 */
export async function loaderData(res: Response): Promise<any> {
  return parseLoaderBody(res.headers.get("content-type"), await res.text());
}

/** The same, from a body already read (e.g. inside a browser page). */
export function parseLoaderBody(contentType: string | null, text: string): any {
  if (!(contentType ?? "").startsWith("text/remix-deferred")) return JSON.parse(text);
  const [critical, ...chunks] = text.split("\n\n").filter((c) => c !== "");
  const data = JSON.parse(critical);
  for (const chunk of chunks) {
    if (chunk.startsWith("error:")) throw new Error(`a deferred value of the loader failed: ${chunk.slice(6)}`);
    if (!chunk.startsWith("data:")) throw new Error(`unexpected chunk of a deferred answer: ${chunk.slice(0, 80)}`);
    Object.assign(data, JSON.parse(chunk.slice(5)));
  }
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === "string" && value.startsWith("__deferred_promise:")) throw new Error(`deferred value "${key}" never settled`);
  }
  return data;
}
