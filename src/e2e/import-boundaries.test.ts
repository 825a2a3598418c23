import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Linter, type ESLint } from "eslint";

const srcRoot = fileURLToPath(new URL("../../src/", import.meta.url));
const modulePath = new URL("../../scripts/import-boundaries.mjs", import.meta.url).href;

async function lint(file: string, code: string): Promise<string[]> {
  const { importBoundaries } = (await import(modulePath)) as { importBoundaries: ESLint.Plugin };
  const linter = new Linter({ configType: "flat" });
  const messages = linter.verify(code, [{
    files: ["**/*.ts"],
    plugins: { boundaries: importBoundaries },
    rules: { "boundaries/imports": ["error", { srcRoot }] },
  }], { filename: `${srcRoot}${file}` });
  return messages.map((m) => m.message);
}

describe("import boundaries (scripts/import-boundaries.mjs, run by eslint in npm test)", () => {
  test("api imports nothing of ours but the util leaf", async () => {
    assert.deepEqual(await lint("api/x.ts", 'import { a } from "./validation/names.js";'), []);
    assert.deepEqual(await lint("api/x.ts", 'import { a } from "../util/json.js";'), []);
    const [message] = await lint("api/x.ts", 'import { a } from "../client/client.js";');
    assert.match(message ?? "", /api may not import client/);
  });

  test("util imports nothing of ours", async () => {
    assert.match((await lint("util/x.ts", 'import { a } from "../api/types.js";'))[0] ?? "", /util may not import api/);
  });

  test("storage may import util but not api", async () => {
    assert.deepEqual(await lint("storage/x.ts", 'import { a } from "../util/clock.js";'), []);
    assert.equal((await lint("storage/x.ts", 'export { a } from "../api/types.js";')).length, 1);
  });

  test("control loops never import apiserver or storage, except in their tests", async () => {
    for (const [file, up] of [["controllers/daemonset/x.ts", "../../"], ["scheduler/x.ts", "../"], ["simulator/x.ts", "../"], ["controller/x.ts", "../"]] as const) {
      assert.equal((await lint(file, `import { a } from "${up}apiserver/registry/index.js";`)).length, 1, file);
      assert.equal((await lint(file, `const m = await import("${up}storage/backend.js");`)).length, 1, file);
      assert.deepEqual(await lint(file, `import { a } from "${up}client/client.js";`), [], file);
    }
    assert.deepEqual(await lint("controllers/podgc/x.test.ts", 'import { a } from "../../apiserver/registry/testing/fixtures.js";'), []);
  });

  test("only cli (and the programs driving everything) import server or cli", async () => {
    assert.equal((await lint("apiserver/http/x.ts", 'import { a } from "../../server/tokens.js";')).length, 1);
    assert.equal((await lint("server/x.ts", 'import { a } from "../cli/flags.js";')).length, 1);
    assert.deepEqual(await lint("cli/x.ts", 'import { a } from "../server/tokens.js";'), []);
  });

  test("a folder the table does not know is reported", async () => {
    assert.match((await lint("newthing/x.ts", 'import { a } from "../api/types.js";'))[0] ?? "", /not a folder the import boundaries know/);
  });
});
