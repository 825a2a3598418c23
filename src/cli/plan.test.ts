import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { daemonSetsOf } from "./plan.js";

const ds = (name: string): string => `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ${name}}\n`;

describe("daemonSetsOf", () => {
  test("takes the apps/v1 DaemonSets of every document and List, skipping other kinds", () => {
    const text = `${ds("a")}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- ${JSON.stringify({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "b" } })}\n`;
    assert.deepEqual(daemonSetsOf(text, "f.yaml").map((d) => d.metadata?.name), ["a", "b"]);
  });

  test("no DaemonSet, or broken YAML, is an error naming the source", () => {
    assert.throws(() => daemonSetsOf("apiVersion: v1\nkind: ConfigMap\n", "f.yaml"), /^Error: f\.yaml: no apps\/v1 DaemonSet in the manifest$/);
    assert.throws(() => daemonSetsOf(`apiVersion: extensions/v1beta1\nkind: DaemonSet\n`, "old.yaml"), /no apps\/v1 DaemonSet/);
    assert.throws(() => daemonSetsOf("a: [1, 2\n", "bad.yaml"), /^Error: bad\.yaml: /);
  });
});
