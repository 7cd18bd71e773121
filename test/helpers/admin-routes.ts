/** The embedded admin's routes (app.* files in app/routes), so tests cover new routes automatically. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { root } from "./app-server";

export interface RouteCase {
  id: string;
  url: string;
  params: string[];
  resource: boolean;
  loader: boolean;
  action: boolean;
  /** An index route: Remix needs ?index to send a POST to it rather than to its parent. */
  index: boolean;
}

/** app.* route files → URL patterns (Remix flat routes: dots are slashes, $x params, [.] escapes). */
export function adminRoutes(): RouteCase[] {
  const dir = path.join(root, "app/routes");
  return readdirSync(dir)
    .filter((f) => f.startsWith("app.") && f.endsWith(".tsx"))
    .map((file) => {
      const id = file.replace(/\.tsx$/, "");
      const source = readFileSync(path.join(dir, file), "utf8");
      const segments = id
        .replace(/\[\.\]/g, "\u0000")
        .split(".")
        .filter((s) => s !== "_index")
        .map((s) => s.replace(/\u0000/g, ".").replace(/_$/, ""));
      return {
        id: `routes/${id}`,
        url: "/" + segments.join("/"),
        params: segments.filter((s) => s.startsWith("$")),
        resource: !/export default/.test(source),
        loader: /export (const|async function|function) loader/.test(source),
        action: /export (const|async function|function) action/.test(source),
        index: id.endsWith("._index"),
      };
    });
}
