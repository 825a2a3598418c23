import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyJsonPatch } from "./json-patch.js";
import type { JsonValue } from "../../api/types.js";
import { fieldErrors, invalid, isFailedPatchTest, statusError } from "../../api/status-error.js";

/** What applying `ops` to `doc` throws (fails the test when it throws nothing). */
function thrownBy(doc: JsonValue, ops: unknown): unknown {
  try {
    applyJsonPatch(doc, ops);
  } catch (error) {
    return error;
  }
  return assert.fail("the patch applied");
}

describe("isFailedPatchTest", () => {
  test("recognises the answer to a JSON patch whose test operation failed", () => {
    assert.equal(isFailedPatchTest(thrownBy({ spec: { taints: [] } }, [{ op: "test", path: "/spec/taints", value: [{ key: "k" }] }])), true);
    assert.equal(isFailedPatchTest(thrownBy({ spec: {} }, [{ op: "test", path: "/spec/taints", value: [] }])), true);
  });

  test("other failures are not a failed test", () => {
    assert.equal(isFailedPatchTest(thrownBy({ spec: {} }, [{ op: "remove", path: "/spec/taints" }])), false);
    assert.equal(isFailedPatchTest(invalid({ group: "", resource: "nodes", kind: "Node" }, "n1", [fieldErrors.required("spec.taints[0].effect")])), false);
    assert.equal(isFailedPatchTest(statusError(409, "Conflict", "testing value /spec/taints failed")), false);
    assert.equal(isFailedPatchTest(new Error("testing value /spec/taints failed: test failed")), false);
  });
});
