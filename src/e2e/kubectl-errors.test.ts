import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestCluster, type TestCluster } from "./harness.js";

const ds = (name: string, extra = "", labels = "app: x"): string => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels:
      app: x
${extra}  template:
    metadata:
      labels:
        ${labels}
    spec:
      containers:
      - name: main
        image: nginx
`;

describe("errors read as on a real cluster", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c.stop(); });

  test("not found", async () => {
    const r = await c.kubectl(["get", "ds", "nope"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): daemonsets.apps "nope" not found');
    const d = await c.kubectl(["delete", "ds", "nope"]);
    assert.equal(d.stderr.trim(), 'Error from server (NotFound): daemonsets.apps "nope" not found');
  });

  test("already exists", async () => {
    await c.kubectlOk(["create", "-f", "-"], ds("dup"));
    const r = await c.kubectl(["create", "-f", "-"], ds("dup"));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(AlreadyExists\): error when creating "STDIN": daemonsets.apps "dup" already exists/);
  });

  test("strict field validation", async () => {
    const r = await c.kubectl(["create", "-f", "-"], ds("strict").replace("  selector:", "  selectr:"));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(BadRequest\): error when creating "STDIN": DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.selectr"/);
    const ignored = await c.kubectl(["create", "--validate=false", "-f", "-"], ds("lenient", "  unknownThing: 1\n"));
    assert.equal(ignored.code, 0, ignored.stderr);
  });

  test("invalid: selector does not match template labels", async () => {
    const r = await c.kubectl(["create", "-f", "-"], ds("bad", "", "app: other"));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The DaemonSet "bad" is invalid: spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/);
  });

  test("invalid: restartPolicy and immutable selector", async () => {
    const r = await c.kubectl(["create", "-f", "-"], ds("never").replace("    spec:\n", "    spec:\n      restartPolicy: Never\n"));
    assert.match(r.stderr, /spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"/);
    await c.kubectlOk(["create", "-f", "-"], ds("imm"));
    const p = await c.kubectl(["patch", "ds", "imm", "--type=merge", "-p", '{"spec":{"selector":{"matchLabels":{"app":"z"}},"template":{"metadata":{"labels":{"app":"z"}}}}}']);
    assert.equal(p.code, 1);
    assert.match(p.stderr, /spec.selector: Invalid value: .*field is immutable/);
  });

  test("stale resourceVersion is a conflict", async () => {
    await c.kubectlOk(["create", "-f", "-"], ds("cas"));
    const obj = JSON.parse(await c.kubectlOk(["get", "ds", "cas", "-o", "json"])) as Record<string, any>;
    await c.kubectlOk(["label", "ds", "cas", "touched=yes"]);
    obj.metadata.labels = { fresh: "no" };
    const r = await c.kubectl(["replace", "-f", "-"], JSON.stringify(obj));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on daemonsets.apps "cas": the object has been modified; please apply your changes to the latest version and try again/);
  });

  test("bad selectors", async () => {
    const f = await c.kubectl(["get", "pods", "--field-selector", "spec.foo=bar"]);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /field label not supported: spec.foo/);
    const l = await c.kubectl(["get", "ds", "-l", "a in (b"]);
    assert.equal(l.code, 1);
  });

  test("unknown resource type", async () => {
    const r = await c.kubectl(["get", "deployments"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the server doesn't have a resource type "deployments"/);
  });
});
