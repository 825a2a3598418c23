// @ts-check
/**
 * The import boundaries between the folders of src/, as an ESLint rule (`boundaries/imports`) that `npm test` runs
 * through `eslint src`. Each folder of src/ may import only the folders its entry allows (always itself); test files
 * (`*.test.ts`, `testing/`) get the extra folders of `tests`. An import outside src/ (packages, node:) is not checked.
 */
import { dirname, relative, resolve, sep } from "node:path";

const folders = ["agent", "api", "apiserver", "bench", "cli", "client", "controller", "controllers", "dns", "e2e", "metrics", "planner", "scheduler", "server", "simulator", "storage", "util"];

function everythingBut(...excluded) {
  return folders.filter((f) => !excluded.includes(f));
}

/** Which folders of src/ each folder may import: `code` for all its files, `tests` additionally for its tests. */
export const boundaries = {
  util: { code: [] },
  api: { code: ["util"] },
  storage: { code: ["util"] },
  client: { code: ["api", "util"], tests: ["apiserver", "controller", "storage"] },
  apiserver: { code: ["api", "client", "metrics", "storage", "util"] },
  controller: { code: ["api", "client", "util"], tests: ["apiserver", "storage"] },
  controllers: { code: ["api", "client", "controller", "util"], tests: ["apiserver", "storage"] },
  scheduler: { code: ["api", "client", "controller", "util"], tests: ["apiserver", "simulator", "storage"] },
  simulator: { code: ["api", "client", "controller", "util"], tests: ["apiserver", "storage"] },
  // The node agent reuses the server's PKI for its serving certificate (server/pki.ts; a candidate for util).
  agent: { code: ["api", "client", "controller", "server", "simulator", "util"], tests: ["apiserver", "storage"] },
  dns: { code: ["api", "client", "util"] },
  metrics: { code: ["api", "client", "controller", "storage", "util"], tests: ["apiserver"] },
  // The planner predicts with the DaemonSet controller's and the scheduler's own pure functions.
  planner: { code: ["api", "client", "controller", "controllers", "scheduler", "util"] },
  server: { code: [...everythingBut("server", "cli", "bench", "e2e")] },
  cli: { code: [...everythingBut("cli", "bench", "e2e")] },
  // The benchmarks and the end-to-end tests drive the whole program as a user does, so they may reach everything.
  bench: { code: [...everythingBut("bench")] },
  e2e: { code: [...everythingBut("e2e")] },
};

/** The folder of src/ a path lies in, or undefined outside src/ (or directly in it). */
function folderOf(srcRoot, path) {
  const rel = relative(srcRoot, path);
  if (rel.startsWith("..") || !rel.includes(sep)) return undefined;
  return rel.split(sep)[0];
}

function isTestFile(srcRoot, path) {
  const rel = relative(srcRoot, path).split(sep);
  return (rel.at(-1) ?? "").endsWith(".test.ts") || rel.includes("testing");
}

/** @type {import("eslint").Rule.RuleModule} */
const importsRule = {
  meta: {
    type: "problem",
    docs: { description: "keeps each folder of src/ to the imports its layer allows" },
    schema: [{ type: "object", properties: { srcRoot: { type: "string" } }, additionalProperties: false }],
    messages: {
      forbidden: "{{from}} may not import {{to}} (allowed: {{allowed}}); see docs/architecture.md",
      unknown: "{{from}} is not a folder the import boundaries know; add it to scripts/import-boundaries.mjs",
    },
  },
  create(context) {
    const option = /** @type {{ srcRoot?: string } | undefined} */ (context.options[0]);
    const srcRoot = resolve(option?.srcRoot ?? "src");
    const file = resolve(context.filename);
    const from = folderOf(srcRoot, file);
    if (from === undefined) return {};
    const entry = /** @type {Record<string, { code: string[]; tests?: string[] }>} */ (boundaries)[from];
    const allowed = new Set([from, ...(entry?.code ?? []), ...(isTestFile(srcRoot, file) ? entry?.tests ?? [] : [])]);
    /** @param {import("estree").Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== "string" || !source.startsWith(".")) return;
      if (entry === undefined) {
        context.report({ node, messageId: "unknown", data: { from } });
        return;
      }
      const to = folderOf(srcRoot, resolve(dirname(file), source));
      if (to === undefined || allowed.has(to)) return;
      context.report({ node, messageId: "forbidden", data: { from, to, allowed: [...allowed].sort().join(", ") } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.type === "Literal" ? node.source.value : undefined),
    };
  },
};

/** The ESLint plugin holding the rule. */
export const importBoundaries = { rules: { imports: importsRule } };
