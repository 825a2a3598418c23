import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeList } from "../../api/types.js";
import { R, node, pod, rejects, startHarness, type Harness } from "./testing/fixtures.js";

const names = (list: KubeList): string[] => list.items.map((i) => `${i.metadata?.namespace ?? ""}/${i.metadata?.name ?? ""}`);

async function seed(h: Harness): Promise<void> {
  const pods: [string, string, Record<string, string>, string?][] = [
    ["default", "a", { app: "web", tier: "front" }, "n1"],
    ["default", "b", { app: "web", tier: "back" }, "n2"],
    ["default", "c", { app: "db" }, "n1"],
    ["other", "d", { app: "web" }, "n1"],
    ["other", "e", { app: "db" }],
  ];
  for (const [ns, name, labels, nodeName] of pods) await h.registry.create(R.pods, ns, pod(name, { labels, nodeName }));
}

describe("registry get and list", () => {
  test("selectors and namespaces", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await seed(h);
    const cases: [string | undefined, { labelSelector?: string; fieldSelector?: string }, string[]][] = [
      [undefined, {}, ["default/a", "default/b", "default/c", "other/d", "other/e"]],
      ["default", {}, ["default/a", "default/b", "default/c"]],
      ["default", { labelSelector: "app=web" }, ["default/a", "default/b"]],
      [undefined, { labelSelector: "app in (db),!tier" }, ["default/c", "other/e"]],
      [undefined, { fieldSelector: "spec.nodeName=n1" }, ["default/a", "default/c", "other/d"]],
      ["other", { fieldSelector: "spec.nodeName=n1" }, ["other/d"]],
      [undefined, { fieldSelector: "spec.nodeName=" }, ["other/e"]],
      [undefined, { fieldSelector: "spec.nodeName=n1", labelSelector: "app=web" }, ["default/a", "other/d"]],
      [undefined, { fieldSelector: "metadata.namespace=other,status.phase!=Failed" }, ["other/d", "other/e"]],
      [undefined, { fieldSelector: "metadata.name=b" }, ["default/b"]],
    ];
    for (const [ns, options, expected] of cases) {
      assert.deepEqual(names(await h.registry.list(R.pods, ns, options)), expected, JSON.stringify([ns, options]));
    }
    await rejects(h.registry.list(R.pods, undefined, { labelSelector: "a=(" }), 400);
    await rejects(h.registry.list(R.pods, undefined, { fieldSelector: "spec.bogus=x" }), 400, "field label not supported: spec.bogus");
    await rejects(h.registry.list(R.daemonsets, undefined, { fieldSelector: "spec.x=1" }), 400);
  });

  test("list metadata, kinds and read-your-writes", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.nodes, undefined, node("n1"));
    const list = await h.registry.list(R.nodes, undefined);
    assert.equal(list.kind, "NodeList");
    assert.equal(list.apiVersion, "v1");
    assert.equal(list.metadata.resourceVersion, String(await h.backend.currentRevision()));
    for (let i = 0; i < 20; i++) {
      await h.registry.create(R.nodes, undefined, node(`m${i}`));
      const after = await h.registry.list(R.nodes, undefined, { fieldSelector: `metadata.name=m${i}` });
      assert.equal(after.items.length, 1, "a list right after a write sees it");
      await h.registry.delete(R.nodes, undefined, `m${i}`);
      await rejects(h.registry.get(R.nodes, undefined, `m${i}`), 404);
    }
    const returned = await h.registry.get(R.nodes, undefined, "n1");
    (returned.metadata as Record<string, unknown>).name = "mutated";
    assert.equal((await h.registry.get(R.nodes, undefined, "n1")).metadata?.name, "n1", "returned objects are copies");
  });

  test("pagination with limit and continue", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await seed(h);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await h.registry.list(R.pods, undefined, { limit: 2, continue: token });
      seen.push(...names(page));
      token = page.metadata.continue;
      pages++;
    } while (token);
    assert.deepEqual(seen, ["default/a", "default/b", "default/c", "other/d", "other/e"]);
    assert.equal(pages, 3);
    const filtered = await h.registry.list(R.pods, undefined, { limit: 1, labelSelector: "app=db" });
    assert.deepEqual(names(filtered), ["default/c"]);
    const rest = await h.registry.list(R.pods, undefined, { limit: 1, labelSelector: "app=db", continue: filtered.metadata.continue });
    assert.deepEqual(names(rest), ["other/e"]);
    assert.equal(rest.metadata.continue, undefined);
  });

  test("later pages are consistent with the first (served at its revision), then expire after compaction", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await seed(h);
    const first = await h.registry.list(R.pods, undefined, { limit: 2 });
    await h.registry.create(R.pods, "default", pod("bb"));
    await h.registry.delete(R.pods, "other", "e");
    const second = await h.registry.list(R.pods, undefined, { limit: 10, continue: first.metadata.continue });
    assert.deepEqual(names(second), ["default/c", "other/d", "other/e"]);
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
    await h.backend.compact(await h.backend.currentRevision());
    const e = await rejects(h.registry.list(R.pods, undefined, { limit: 10, continue: first.metadata.continue }), 410,
      "The provided continue parameter is too old to display a consistent list result.");
    assert.equal(e.reason, "Expired");
    await rejects(h.registry.list(R.pods, undefined, { continue: "garbage" }), 400);
    await rejects(h.registry.list(R.pods, "other", { continue: first.metadata.continue }), 400);
  });

  test("resourceVersion semantics", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await seed(h);
    const latest = await h.registry.list(R.pods, undefined);
    const rv = Number(latest.metadata.resourceVersion);
    assert.equal(names(await h.registry.list(R.pods, undefined, { resourceVersion: "0" })).length, 5);
    assert.equal(names(await h.registry.list(R.pods, undefined, { resourceVersion: String(rv) })).length, 5);
    await h.registry.delete(R.pods, "default", "a", { gracePeriodSeconds: 0 });
    const exact = await h.registry.list(R.pods, undefined, { resourceVersion: String(rv), resourceVersionMatch: "Exact" });
    assert.equal(exact.items.length, 5, "exact reads the past");
    assert.equal(exact.metadata.resourceVersion, String(rv));
    // A newer revision written to another resource is still "not older than" for pods.
    await h.registry.create(R.nodes, undefined, node("n"));
    const nodeRv = (await h.registry.list(R.nodes, undefined)).metadata.resourceVersion ?? "";
    assert.equal((await h.registry.list(R.pods, undefined, { resourceVersion: nodeRv })).items.length, 4);
    await rejects(h.registry.list(R.pods, undefined, { resourceVersion: "999999" }), 504, "Too large resource version");
    await rejects(h.registry.list(R.pods, undefined, { resourceVersion: "abc" }), 400);
    await rejects(h.registry.list(R.pods, undefined, { resourceVersionMatch: "Exact" }), 400);
    await rejects(h.registry.list(R.pods, undefined, { resourceVersion: "0", resourceVersionMatch: "Exact" }), 400);
    await h.backend.compact(await h.backend.currentRevision());
    await rejects(h.registry.list(R.pods, undefined, { resourceVersion: String(rv), resourceVersionMatch: "Exact" }), 410, "too old resource version");
  });

  test("listShared serves the watch cache's own objects, list serves copies; both page alike", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await seed(h);
    const shared = await h.registry.listShared(R.pods, undefined);
    const again = await h.registry.listShared(R.pods, undefined);
    const copied = await h.registry.list(R.pods, undefined);
    assert.deepEqual(copied, shared);
    shared.items.forEach((item, i) => {
      assert.equal(again.items[i], item, "the same cached object each time");
      assert.notEqual(copied.items[i], item, "list hands out a copy");
    });
    const first = await h.registry.listShared(R.pods, undefined, { limit: 2, labelSelector: "app=web" });
    const rest = await h.registry.listShared(R.pods, undefined, { continue: first.metadata.continue, labelSelector: "app=web" });
    assert.deepEqual([...names(first), ...names(rest)], ["default/a", "default/b", "other/d"]);
    assert.equal(rest.metadata.resourceVersion, first.metadata.resourceVersion);
  });

  test("get errors", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const e = await rejects(h.registry.get(R.daemonsets, "default", "x"), 404, 'daemonsets.apps "x" not found');
    assert.deepEqual(e.status.details, { name: "x", group: "apps", kind: "daemonsets" });
    await rejects(h.registry.get(R.pods, undefined, "x"), 400);
    await rejects(h.registry.get({ ...R.pods, resource: "widgets" }, "default", "x"), 404, "the server could not find the requested resource");
  });
});
