import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { checkName } from "./object-meta.js";

function badRequestMessage(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 400);
    return err.message;
  }
  assert.fail("expected a 400");
}

describe("checkName", () => {
  test("accepts the URL's name and rejects another", () => {
    assert.doesNotThrow(() => checkName({ kind: "Pod", apiVersion: "v1", metadata: { name: "a" } }, "a"));
    assert.equal(badRequestMessage(() => checkName({ kind: "Pod", apiVersion: "v1", metadata: { name: "b" } }, "a")),
      "the name of the object (b) does not match the name on the URL (a)");
  });

  test("a name that is not a string is a decode error, even one that cannot be printed", () => {
    const hostile = JSON.parse('{"kind":"Event","apiVersion":"v1","metadata":{"name":{"toString":1,"hasOwnProperty":2}}}') as KubeObject;
    assert.equal(badRequestMessage(() => checkName(hostile, "a")),
      'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal object into Go struct field ObjectMeta.metadata.name of type string');
    assert.match(badRequestMessage(() => checkName({ kind: "DaemonSet", apiVersion: "apps/v1", metadata: { name: 5 as unknown as string } }, "a")),
      /^DaemonSet in version "v1" cannot be handled as a DaemonSet: json: cannot unmarshal number into Go struct field/);
  });
});
