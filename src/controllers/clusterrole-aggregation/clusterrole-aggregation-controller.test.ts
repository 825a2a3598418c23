import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mustFindResource } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import { ensureDefaultRbac } from "../../apiserver/registry/bootstrap-rbac.js";
import { startTestCluster, until, withControlLoop, type TestCluster } from "../../controller/testing/cluster.js";
import { aggregatedRules, ClusterRoleAggregationController } from "./clusterrole-aggregation-controller.js";

const clusterRoles = mustFindResource("rbac.authorization.k8s.io", "clusterroles");
const label = "example.com/aggregate-to-monitoring";

function role(name: string, rules: Record<string, unknown>[], labels?: Record<string, string>, aggregationRule?: unknown): KubeObject {
  const r: KubeObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels }, rules };
  if (aggregationRule !== undefined) r.aggregationRule = aggregationRule;
  return r;
}

const rule = (verb: string, resource: string): Record<string, unknown> => ({ verbs: [verb], apiGroups: [""], resources: [resource] });
const selects = (key: string): unknown => ({ clusterRoleSelectors: [{ matchLabels: { [key]: "true" } }] });

describe("aggregatedRules", () => {
  test("the union of the matching roles' rules, roles in name order, duplicates once, itself left out", () => {
    const all = [
      role("z-pods", [rule("get", "pods"), rule("list", "pods")], { [label]: "true" }),
      role("a-nodes", [rule("get", "nodes"), rule("get", "pods")], { [label]: "true" }),
      role("unlabelled", [rule("delete", "pods")]),
      role("monitoring", [rule("stale", "x")], { [label]: "true" }, selects(label)),
    ];
    assert.deepEqual(aggregatedRules(all[3] as KubeObject, all), [rule("get", "nodes"), rule("get", "pods"), rule("list", "pods")]);
    assert.equal(aggregatedRules(all[0] as KubeObject, all), undefined);
    assert.deepEqual(aggregatedRules(role("none", [], undefined, { clusterRoleSelectors: [] }), all), []);
  });
});

describe("ClusterRoleAggregationController", () => {
  const rulesOf = async (c: TestCluster, name: string): Promise<unknown> => (await c.client.get(clusterRoles, undefined, name)).rules;

  test("keeps an aggregated role's rules in step as roles are labelled, changed and deleted", () =>
    withControlLoop((base) => new ClusterRoleAggregationController(base), async (c) => {
      await c.client.create(clusterRoles, undefined, role("monitoring", [], undefined, selects(label)));
      await c.client.create(clusterRoles, undefined, role("metrics-reader", [rule("get", "pods")], { [label]: "true" }));
      await until(c.clock, async () => JSON.stringify(await rulesOf(c, "monitoring")) === JSON.stringify([rule("get", "pods")]), "first rule aggregated");
      await c.client.create(clusterRoles, undefined, role("node-reader", [rule("get", "nodes")]));
      await c.client.patch(clusterRoles, undefined, "node-reader", "merge", { metadata: { labels: { [label]: "true" } } });
      await until(c.clock, async () => JSON.stringify(await rulesOf(c, "monitoring")) === JSON.stringify([rule("get", "pods"), rule("get", "nodes")]), "labelled role aggregated");
      await c.client.patch(clusterRoles, undefined, "metrics-reader", "merge", { rules: [rule("watch", "pods")] });
      await until(c.clock, async () => JSON.stringify(await rulesOf(c, "monitoring")) === JSON.stringify([rule("watch", "pods"), rule("get", "nodes")]), "changed rule followed");
      await c.client.delete(clusterRoles, undefined, "node-reader");
      await until(c.clock, async () => JSON.stringify(await rulesOf(c, "monitoring")) === JSON.stringify([rule("watch", "pods")]), "deleted role dropped");
      // Rules written by hand into an aggregated role are replaced by the union.
      await c.client.patch(clusterRoles, undefined, "monitoring", "merge", { rules: [rule("*", "*")] });
      await until(c.clock, async () => JSON.stringify(await rulesOf(c, "monitoring")) === JSON.stringify([rule("watch", "pods")]), "hand-written rules replaced");
    }));
});

describe("bootstrap roles", () => {
  test("admin, edit and view are created with exactly the rules the controller computes", async () => {
    const c = await startTestCluster();
    try {
      await ensureDefaultRbac(c.client);
      const all = (await c.client.list(clusterRoles, undefined)).items;
      for (const name of ["admin", "edit", "view"]) {
        const role = all.find((r) => r.metadata?.name === name);
        assert.ok(role);
        assert.ok(Array.isArray(role.rules) && role.rules.length > 0, `${name} has rules`);
        assert.deepEqual(aggregatedRules(role, all), role.rules, name);
      }
    } finally {
      await c.stop();
    }
  });
});
