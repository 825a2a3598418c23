import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDefinitions, installedSources, renderModule } from "./generate-definitions.js";

void test("generated-definitions.ts is what the generator produces now (rerun the generator after editing its tables)", async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const committed = readFileSync(`${here}/../../../src/api/schema/generated-definitions.ts`, "utf8");
  assert.equal(renderModule(await buildDefinitions(installedSources())), committed);
});

void test("the generator reads models generated from Kubernetes 1.32, the version the server reports", () => {
  const header = readFileSync(`${installedSources().modelsDir}/V1PodSpec.d.ts`, "utf8");
  assert.match(header, /OpenAPI spec version: v1\.32\.\d+\n/);
});
