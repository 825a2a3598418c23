import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestCluster, type TestCluster } from "./harness.js";

const revision = (name: string): string => `apiVersion: apps/v1\nkind: ControllerRevision\nmetadata:\n  name: ${name}\ndata: {}\nrevision: 1\n`;

describe("kubectl delete --cascade=foreground of objects that own themselves or each other", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c.stop(); });

  /** Makes `owner` a blocking owner of `name` (both ControllerRevisions). */
  const own = async (name: string, owner: string): Promise<void> => {
    const uid = await c.kubectlOk(["get", "controllerrevision", owner, "-o", "jsonpath={.metadata.uid}"]);
    const ref = { apiVersion: "apps/v1", kind: "ControllerRevision", name: owner, uid, blockOwnerDeletion: true };
    await c.kubectlOk(["patch", "controllerrevision", name, "--type", "merge", "-p", JSON.stringify({ metadata: { ownerReferences: [ref] } })]);
  };

  test("an object listing itself as owner is deleted", async () => {
    await c.kubectlOk(["create", "-f", "-"], revision("self"));
    await own("self", "self");
    const out = await c.kubectlOk(["delete", "controllerrevision", "self", "--cascade=foreground", "--timeout=15s"]);
    assert.equal(out.trim(), 'controllerrevision.apps "self" deleted');
    assert.equal((await c.kubectl(["get", "controllerrevision", "self"])).code, 1);
  });

  test("two objects owning each other, both deleted in the foreground, are deleted", async () => {
    await c.kubectlOk(["create", "-f", "-"], `${revision("a")}---\n${revision("b")}`);
    await own("a", "b");
    await own("b", "a");
    // Deleting a may take b along before kubectl asks for b: either way both go, and neither waits forever.
    const out = await c.kubectlOk(["delete", "controllerrevision", "a", "b", "--cascade=foreground", "--timeout=15s", "--ignore-not-found"]);
    assert.match(out, /^controllerrevision\.apps "a" deleted\n/);
    assert.equal((await c.kubectlOk(["get", "controllerrevisions", "-o", "name"])).trim(), "");
  });
});
