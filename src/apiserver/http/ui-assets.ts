/**
 * The dashboard's static files, served at `/ui/` without credentials (they hold no data; the page asks the API
 * for everything with the viewer's own credentials): the files of the package's `ui/` directory and the ESM
 * builds of preact and htm shipped in node_modules, under `/ui/vendor/`. Read once, kept in memory.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Reply } from "./reply.js";

const types: Record<string, string> = { html: "text/html; charset=utf-8", js: "text/javascript; charset=utf-8", mjs: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", svg: "image/svg+xml" };

/** Where each served file comes from, by its path below `/ui/`. */
function sources(): Map<string, string> {
  const uiDir = fileURLToPath(new URL("../../../ui/", import.meta.url));
  const esm = (specifier: string): string => fileURLToPath(import.meta.resolve(specifier));
  return new Map([
    ["", join(uiDir, "index.html")],
    ["app.js", join(uiDir, "app.js")],
    ["data.js", join(uiDir, "data.js")],
    ["model.js", join(uiDir, "model.js")],
    ["grid.js", join(uiDir, "grid.js")],
    ["panels.js", join(uiDir, "panels.js")],
    ["pod-logs.js", join(uiDir, "pod-logs.js")],
    ["style.css", join(uiDir, "style.css")],
    ["vendor/preact.mjs", esm("preact")],
    ["vendor/hooks.mjs", esm("preact/hooks")],
    ["vendor/htm.mjs", esm("htm")],
  ]);
}

/** Serves the dashboard's files. */
export class UiAssets {
  private readonly files = sources();
  private readonly cache = new Map<string, Promise<string>>();

  /** The reply for `/ui/<file>` (`file` "" for the page itself); 404 for anything else. */
  async reply(file: string): Promise<Reply> {
    const source = this.files.get(file);
    if (source === undefined) return { kind: "text", code: 404, body: "404 page not found\n" };
    let body = this.cache.get(file);
    if (!body) {
      body = readFile(source, "utf8");
      this.cache.set(file, body);
      body.catch(() => this.cache.delete(file));
    }
    const ext = source.slice(source.lastIndexOf(".") + 1);
    return { kind: "raw", code: 200, body: await body, contentType: types[ext] ?? "application/octet-stream" };
  }
}
