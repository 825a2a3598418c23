import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { serverRuntimeFlags } from "./runtime-flags.js";

const root = new URL("../../", import.meta.url);

describe("server runtime flags", () => {
  test("the everynode executable's interpreter line passes exactly these flags to node", () => {
    const first = readFileSync(new URL("bin/everynode.js", root), "utf8").split("\n")[0];
    assert.equal(first, `#!/usr/bin/env -S node ${serverRuntimeFlags.join(" ")}`);
  });

  test("npm run bench runs the in-process cluster with the same flags", () => {
    const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.bench ?? "", new RegExp(`node ${serverRuntimeFlags.join(" ")} dist/bench/cluster-bench\\.js`));
  });
});
