import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Absolute path of a fixture manifest shipped in src/e2e/fixtures (the seeds' manifests, unchanged). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../src/e2e/fixtures/${name}`, import.meta.url));
}

/** Contents of a fixture manifest. */
export function fixture(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}
