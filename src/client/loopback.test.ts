import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { R, daemonSet, pod, startHarness } from "../apiserver/registry/testing/fixtures.js";
import { createLoopbackClient } from "./loopback.js";

type Mutable = Record<string, any>;

describe("loopback client", () => {
  test("objects are copied at the boundary both ways", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const client = createLoopbackClient(h.registry);
    const input: Mutable = pod("p", { labels: { a: "1" } });
    const created: Mutable = await client.create(R.pods, "default", input);
    input.metadata.labels.a = "changed-after-call";
    created.metadata.labels.a = "changed-result";
    const got: Mutable = await client.get(R.pods, "default", "p");
    assert.equal(got.metadata.labels.a, "1");
    got.spec.containers[0].image = "mutated";
    const listed: Mutable = await client.list(R.pods, "default");
    assert.equal(listed.items[0].spec.containers[0].image, "nginx:1.25");
    listed.items[0].metadata.name = "mutated";
    assert.equal((await client.get(R.pods, "default", "p")).metadata?.name, "p");
  });

  test("without its own copies it relies on the registry's: results and events are still private", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const client = createLoopbackClient(h.registry, { copy: false });
    const input: Mutable = pod("p", { labels: { a: "1" } });
    const created: Mutable = await client.create(R.pods, "default", input);
    input.metadata.labels.a = "changed-after-call";
    created.metadata.labels.a = "changed-result";
    const got: Mutable = await client.get(R.pods, "default", "p");
    assert.equal(got.metadata.labels.a, "1");
    got.metadata.labels.a = "changed-get";
    const stops = [new AbortController(), new AbortController()];
    const iterators = stops.map((s) => client.watch(R.pods, "default", { resourceVersion: "0" }, s.signal)[Symbol.asyncIterator]());
    const first = (await iterators[0]!.next()).value as Mutable;
    first.object.metadata.labels.a = "mutated";
    const second = (await iterators[1]!.next()).value as Mutable;
    assert.equal(second.object.metadata.labels.a, "1");
    await client.patch(R.pods, "default", "p", "merge", { metadata: { labels: { b: "2" } } });
    const modified = await Promise.all(iterators.map(async (it) => (await it.next()).value as Mutable));
    modified[0]!.object.metadata.labels.b = "mutated";
    assert.equal(modified[1]!.object.metadata.labels.b, "2");
    assert.equal((await client.list(R.pods, "default")).items[0]?.metadata?.labels?.a, "1");
    for (const s of stops) s.abort();
    for (const it of iterators) assert.equal((await it.next()).done, true);
  });

  test("watch events are private copies", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const client = createLoopbackClient(h.registry);
    await client.create(R.pods, "default", pod("p"));
    const stops = [new AbortController(), new AbortController()];
    const iterators = stops.map((s) => client.watch(R.pods, "default", { resourceVersion: "0" }, s.signal)[Symbol.asyncIterator]());
    const first = (await iterators[0]!.next()).value as Mutable;
    first.object.metadata.name = "mutated";
    const second = (await iterators[1]!.next()).value as Mutable;
    assert.equal(second.object.metadata.name, "p");
    for (const s of stops) s.abort();
    for (const it of iterators) assert.equal((await it.next()).done, true);
  });

  test("writes default to fieldValidation Ignore and go through admission", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const client = createLoopbackClient(h.registry);
    const ds: Mutable = daemonSet("d");
    ds.spec.unknownThing = 1;
    const created: Mutable = await client.create(R.daemonsets, "default", ds, { onWarning: () => assert.fail("no warnings with Ignore") });
    assert.equal(created.spec.unknownThing, undefined);
    assert.equal(created.spec.revisionHistoryLimit, 10, "defaults applied");
    await assert.rejects(client.create(R.daemonsets, "default", { ...daemonSet("e"), spec: { ...ds.spec, x: 1 } }, { fieldValidation: "Strict" }),
      (e: Mutable) => e.code === 400);
    const patched: Mutable = await client.patch(R.daemonsets, "default", "d", "merge", { metadata: { labels: { l: "v" } } });
    assert.equal(patched.metadata.labels.l, "v");
    const statusRequest: Mutable = { ...patched, status: { ...patched.status, numberReady: 1 } };
    const status: Mutable = await client.updateStatus(R.daemonsets, "default", statusRequest);
    assert.equal(status.status.numberReady, 1);
    const updated: Mutable = await client.update(R.daemonsets, "default", { ...status, metadata: { ...status.metadata, labels: { l: "w" } } });
    assert.equal(updated.metadata.labels.l, "w");
    await client.createSubresource(R.pods, "default", "ghost", "binding", { metadata: { name: "ghost" }, target: { name: "n" } })
      .then(() => assert.fail("expected 404"), (e: Mutable) => assert.equal(e.code, 404));
    const deleted = await client.deleteCollection(R.daemonsets, "default");
    assert.equal(deleted.items.length, 1);
    await assert.rejects(client.delete(R.daemonsets, "default", "d"), (e: Mutable) => e.code === 404);
  });
});
