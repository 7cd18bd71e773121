import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSqlExecutor } from "../../db/executor";
import { toRow, type EventRow } from "../../ingest/normalize";
import { freshDatabase, root } from "../helpers/app-server";

/** Every text file of the production build: the bundled server, the Remix server build, the client assets. */
function builtFiles(): string[] {
  const out: string[] = [path.join(root, "build/server.js")];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(m?js|css|json|html|map)$/.test(name)) out.push(file);
    }
  };
  walk(path.join(root, "build/server"));
  walk(path.join(root, "build/client"));
  return out;
}

/** Strings only the demo's code contains: its routes, the App Bridge stand-in, token minting. */
const DEMO_MARKERS = ["/demo/session-token", "/demo/app-bridge.js", "__standIn", "routes/demo", "mintSessionToken", "ui-nav-menu::before"];

describe("the production build holds no demo code", () => {
  it("each marker is really in the demo's sources (so the search below can find something)", () => {
    const demoSources = ["scripts/demo/layer.ts", "scripts/demo/app-bridge-stand-in.js", "scripts/demo/session-token.ts"]
      .map((f) => readFileSync(path.join(root, f), "utf8"))
      .join("\n");
    for (const marker of DEMO_MARKERS.filter((m) => m !== "routes/demo")) expect(demoSources, marker).toContain(marker);
  });

  it("no built server or client file contains a demo route, the stand-in or token minting", () => {
    const files = builtFiles();
    expect(files.some((f) => f.endsWith(path.join("build", "server", "index.js")))).toBe(true);
    expect(files.some((f) => f.includes(path.join("build", "client", "assets")))).toBe(true);
    const found = files.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return DEMO_MARKERS.filter((m) => text.includes(m)).map((m) => `${path.relative(root, file)}: ${m}`);
    });
    expect(found).toEqual([]);
  });
});

describe("the production build runs the writer's group commit on the SQLite thread", () => {
  it("ships the procedure beside the server bundle, loadable without the sources' TypeScript loader", async () => {
    const built = path.join(root, "build/server/write-group-procedure.js");
    // The server bundle (build/server/index.js) looks for it in its own folder.
    expect(readFileSync(path.join(root, "build/server/index.js"), "utf8")).toContain("write-group-procedure.js");
    const url = await freshDatabase("sqlite");
    const exec = createSqlExecutor(url);
    try {
      const now = Date.now();
      // The row the endpoint would store for a compact page view (ingest/normalize.ts).
      const row = (eventId: string, ts: number): EventRow => {
        const made = toRow(
          { id: eventId, name: "page_viewed", ts: new Date(ts).toISOString(), seq: 1, clientId: "built-visitor", path: "/" },
          { shopId: 1, receivedAt: now, isBot: false, maxAgeMs: 3_600_000 },
        );
        if (!("row" in made)) throw new Error(made.reason);
        return made.row;
      };
      const inserted = await exec.runProcedure!<string[]>(built, "writeGroup", [row("b1", now - 60_000), row("b2", now - 30_000)]);
      expect(inserted.sort()).toEqual(["1\u0000b1", "1\u0000b2"]);
      expect(await exec.query(`SELECT "eventId", "sessionId" FROM "Event" ORDER BY "eventId"`)).toEqual([
        { eventId: "b1", sessionId: expect.stringContaining("built-visitor") },
        { eventId: "b2", sessionId: expect.stringContaining("built-visitor") },
      ]);
    } finally {
      await exec.close();
    }
  });
});
