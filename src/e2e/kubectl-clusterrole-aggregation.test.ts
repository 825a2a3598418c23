import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, startTestCluster, type TestCluster } from "./harness.js";

const widgetsViewer = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-viewer
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
- apiGroups: [example.com]
  resources: [widgets]
  verbs: [get, list, watch]
`;

const monitoring = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
  - matchLabels:
      example.com/aggregate-to-monitoring: "true"
rules: []
`;

describe("kubectl: ClusterRole aggregation", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c.stop(); });

  const rulesOf = async (name: string): Promise<string> => c.kubectlOk(["get", "clusterrole", name, "-o", "jsonpath={.rules}"]);

  test("a role labelled aggregate-to-view adds its rules to view, edit and admin; removing the label takes them back", async () => {
    await c.kubectlOk(["apply", "-f", "-"], widgetsViewer);
    for (const name of ["view", "edit", "admin"]) {
      await eventually(async () => {
        const rules = await rulesOf(name);
        if (!rules.includes('"widgets"')) throw new Error(`${name} lacks widgets`);
      });
    }
    const yaml = await c.kubectlOk(["get", "clusterrole", "view", "-o", "yaml"]);
    assert.match(yaml, /- apiGroups:\n {2}- example\.com\n {2}resources:\n {2}- widgets\n {2}verbs:\n {2}- get\n {2}- list\n {2}- watch\n/);
    await c.kubectlOk(["label", "clusterrole", "widgets-viewer", "rbac.authorization.k8s.io/aggregate-to-view-"]);
    await eventually(async () => {
      if ((await rulesOf("view")).includes('"widgets"')) throw new Error("view still has widgets");
    });
  });

  test("a user-defined aggregated ClusterRole follows the roles it selects", async () => {
    await c.kubectlOk(["apply", "-f", "-"], monitoring);
    await c.kubectlOk(["create", "clusterrole", "metrics-reader", "--verb=get", "--non-resource-url=/metrics"]);
    await c.kubectlOk(["label", "clusterrole", "metrics-reader", "example.com/aggregate-to-monitoring=true"]);
    await c.kubectlOk(["create", "clusterrole", "node-reader", "--verb=get,list", "--resource=nodes"]);
    await c.kubectlOk(["label", "clusterrole", "node-reader", "example.com/aggregate-to-monitoring=true"]);
    await eventually(async () => {
      const rules = await rulesOf("monitoring");
      if (rules !== '[{"nonResourceURLs":["/metrics"],"verbs":["get"]},{"apiGroups":[""],"resources":["nodes"],"verbs":["get","list"]}]') {
        throw new Error(`monitoring has ${rules}`);
      }
    });
    await c.kubectlOk(["delete", "clusterrole", "metrics-reader"]);
    await eventually(async () => {
      const rules = await rulesOf("monitoring");
      if (rules !== '[{"apiGroups":[""],"resources":["nodes"],"verbs":["get","list"]}]') throw new Error(`monitoring has ${rules}`);
    });
    // What the aggregated role grants is what RBAC enforces.
    await c.kubectlOk(["create", "clusterrolebinding", "carol-monitors", "--clusterrole=monitoring", "--user=carol"]);
    assert.equal((await c.kubectlOk(["auth", "can-i", "list", "nodes", "--as=carol"])).trim(), "yes");
    const no = await c.kubectl(["auth", "can-i", "get", "/metrics", "--as=carol"]);
    assert.equal(no.stdout.trim(), "no");
  });
});
