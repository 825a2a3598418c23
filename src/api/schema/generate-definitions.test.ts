import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDefinitions, renderModule } from "./generate-definitions.js";

void test("generated-definitions.ts is what the generator produces now (rerun the generator after editing its tables)", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const committed = readFileSync(`${here}/../../../src/api/schema/generated-definitions.ts`, "utf8");
  const typesDir = dirname(createRequire(import.meta.url).resolve("kubernetes-types/package.json"));
  assert.equal(renderModule(buildDefinitions(typesDir)), committed);
});
