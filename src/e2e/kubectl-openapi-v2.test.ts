import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestCluster, type TestCluster } from "./harness.js";

const daemonSet = (apiVersion: string, name: string): string => `apiVersion: ${apiVersion}
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: nginx}]
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx}]
`;

describe("kubectl and /openapi/v2: kinds the server does not serve", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c.stop(); });

  test("kubectl fetches the protobuf document", async () => {
    const r = await c.kubectl(["create", "-f", "-", "-v=8"], deployment);
    const v2 = r.stderr.slice(r.stderr.search(/GET https:\/\/\S+\/openapi\/v2\b/));
    // The header lines come in no fixed order (kubectl prints a map).
    assert.match(v2, /^GET \S+\n[^\n]*Request Headers:\n(?:[^\n]*round_trippers\.go:\d+\] {5}[\w-]+: [^\n]*\n)*?[^\n]*round_trippers\.go:\d+\] {5}Accept: application\/com\.github\.proto-openapi\.spec\.v2@v1\.0\+protobuf\n/);
    assert.match(v2, /^[^\n]*Response Status: 200 OK/m);
    assert.doesNotMatch(r.stderr, /failed to download openapi/);
  });

  for (const validate of ["strict", "warn", "ignore"]) {
    test(`a manifest mixing served and unserved kinds creates what it can (--validate=${validate})`, async () => {
      const manifest = [daemonSet("apps/v1", `ok-${validate}`), deployment, daemonSet("extensions/v1beta1", "old")].join("---\n");
      const r = await c.kubectl(["create", "-f", "-", `--validate=${validate}`], manifest);
      assert.equal(r.code, 1);
      assert.equal(r.stdout.trim(), `daemonset.apps/ok-${validate} created`);
      // As against kube-apiserver, --validate=warn notes once per unserved object that it cannot warn.
      const warnings = r.stderr.split("\n").filter((l) => /^W\d{4} .*cannot perform warn validation if server-side field validation is unsupported/.test(l));
      assert.equal(warnings.length, validate === "warn" ? 2 : 0);
      const stderr = r.stderr.split("\n").filter((l) => !warnings.includes(l)).join("\n");
      assert.equal(stderr.trim(), [
        'resource mapping not found for name: "web" namespace: "" from "STDIN": no matches for kind "Deployment" in version "apps/v1"',
        "ensure CRDs are installed first",
        'resource mapping not found for name: "old" namespace: "" from "STDIN": no matches for kind "DaemonSet" in version "extensions/v1beta1"',
        "ensure CRDs are installed first",
      ].join("\n"));
      assert.equal((await c.kubectl(["get", "ds", `ok-${validate}`])).code, 0);
    });
  }
});
