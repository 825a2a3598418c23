import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import { R, pod, startHarness, summary, watch } from "./testing/fixtures.js";

type Mutable = Record<string, any>;

describe("registry watch", () => {
  for (const resourceVersion of [undefined, "", "0"]) {
    test(`resourceVersion ${JSON.stringify(resourceVersion)}: synthetic ADDED, then live events`, async (t) => {
      const h = await startHarness();
      t.after(() => h.close());
      await h.registry.create(R.pods, "default", pod("a"));
      await h.registry.create(R.pods, "default", pod("b"));
      await h.registry.create(R.pods, "other", pod("x"));
      const w = watch(h, R.pods, "default", { resourceVersion });
      t.after(() => w.close());
      assert.deepEqual(summary(await w.take(2)), ["ADDED a", "ADDED b"]);
      await h.registry.patch(R.pods, "default", "a", "merge", { metadata: { labels: { k: "v" } } });
      await h.registry.create(R.pods, "other", pod("y"));
      await h.registry.delete(R.pods, "default", "b");
      const live = await w.take(2);
      assert.deepEqual(summary(live), ["MODIFIED a", "DELETED b"]);
      assert.equal(live[1]?.object.metadata?.resourceVersion, String(await h.backend.currentRevision()), "DELETED carries the delete's revision");
      assert.equal((live[1]?.object as Mutable).spec.containers[0].name, "main", "DELETED carries the last state");
    });
  }

  test("resourceVersion N replays the events after N", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const a = await h.registry.create(R.pods, "default", pod("a"));
    await h.registry.create(R.pods, "default", pod("b"));
    await h.registry.delete(R.pods, "default", "a");
    const w = watch(h, R.pods, undefined, { resourceVersion: a.metadata?.resourceVersion });
    t.after(() => w.close());
    assert.deepEqual(summary(await w.take(2)), ["ADDED b", "DELETED a"]);
    assert.ok(await w.quiet(50));
    await h.registry.create(R.pods, "default", pod("c"));
    assert.deepEqual(summary(await w.take(1)), ["ADDED c"]);
  });

  test("a resourceVersion older than the event buffer gets a 410 ERROR event and the stream ends", async (t) => {
    const h = await startHarness({ watchBufferSize: 2 });
    t.after(() => h.close());
    const first = await h.registry.create(R.pods, "default", pod("a"));
    for (const name of ["b", "c", "d"]) await h.registry.create(R.pods, "default", pod(name));
    await h.registry.list(R.pods, undefined);
    const w = watch(h, R.pods, undefined, { resourceVersion: first.metadata?.resourceVersion });
    t.after(() => w.close());
    const [event] = await w.take(1);
    assert.equal(event?.type, "ERROR");
    const status = event?.object as Mutable;
    assert.equal(status.code, 410);
    assert.equal(status.reason, "Expired");
    assert.match(status.message, /^too old resource version: \d+ \(\d+\)$/);
    assert.equal(await w.next(), undefined);
  });

  test("a resourceVersion from the future gets an ERROR event", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const w = watch(h, R.pods, undefined, { resourceVersion: "100000" });
    t.after(() => w.close());
    const [event] = await w.take(1);
    assert.equal(event?.type, "ERROR");
    assert.equal((event?.object as Mutable).code, 504);
  });

  test("bookmarks carry the current resourceVersion only when allowed", async (t) => {
    const h = await startHarness({ bookmarkIntervalMs: 20 });
    t.after(() => h.close());
    const created = await h.registry.create(R.pods, "default", pod("a"));
    const w = watch(h, R.pods, "default", { resourceVersion: created.metadata?.resourceVersion, allowWatchBookmarks: true });
    t.after(() => w.close());
    const [bookmark] = await w.take(1);
    assert.deepEqual(bookmark, { type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: created.metadata?.resourceVersion } } });
    await h.registry.create(R.pods, "other", pod("elsewhere"));
    const rv = String(await h.backend.currentRevision());
    let next = await w.next();
    while (next?.object.metadata?.resourceVersion !== rv) next = await w.next();
    assert.equal(next.type, "BOOKMARK", "filtered-out events still advance bookmarks");
    const plain = watch(h, R.pods, "default", { resourceVersion: rv });
    t.after(() => plain.close());
    assert.ok(await plain.quiet(80), "no bookmarks unless allowWatchBookmarks");
  });

  test("sendInitialEvents: ADDED for the current state, then the initial-events-end bookmark", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("a"));
    await h.registry.create(R.pods, "default", pod("b"));
    const w = watch(h, R.pods, undefined, { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: true });
    t.after(() => w.close());
    const events = await w.take(3);
    assert.deepEqual(summary(events), ["ADDED a", "ADDED b", "BOOKMARK "]);
    assert.deepEqual(events[2]?.object.metadata, {
      resourceVersion: String(await h.backend.currentRevision()),
      annotations: { "k8s.io/initial-events-end": "true" },
    });
    await h.registry.create(R.pods, "default", pod("c"));
    assert.deepEqual(summary(await w.take(1)), ["ADDED c"]);
  });

  test("selector transitions: stop matching is DELETED, start matching is ADDED", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const start = await h.registry.create(R.pods, "default", pod("a", { labels: { app: "db" } }));
    const w = watch(h, R.pods, undefined, { labelSelector: "app=web", resourceVersion: start.metadata?.resourceVersion });
    t.after(() => w.close());
    await h.registry.patch(R.pods, "default", "a", "merge", { metadata: { labels: { app: "web" } } });
    const [added] = await w.take(1);
    assert.equal(added?.type, "ADDED");
    await h.registry.patch(R.pods, "default", "a", "merge", { metadata: { labels: { app: "web", x: "1" } } });
    assert.deepEqual(summary(await w.take(1)), ["MODIFIED a"]);
    const moved = await h.registry.patch(R.pods, "default", "a", "merge", { metadata: { labels: { app: "db" } } });
    const [deleted] = await w.take(1);
    assert.equal(deleted?.type, "DELETED");
    assert.equal(deleted?.object.metadata?.resourceVersion, moved.metadata?.resourceVersion);
    assert.equal(deleted?.object.metadata?.labels?.app, "web", "the last matching state");
    await h.registry.delete(R.pods, "default", "a");
    assert.ok(await w.quiet(50), "deleting a non-matching object is not seen");

    const byNode = watch(h, R.pods, undefined, { fieldSelector: "spec.nodeName=n1", resourceVersion: "0" });
    t.after(() => byNode.close());
    await h.registry.create(R.pods, "default", pod("b"));
    await h.registry.createSubresource(R.pods, "default", "b", "binding", { metadata: { name: "b" }, target: { name: "n1" } });
    assert.deepEqual(summary(await byNode.take(1)), ["ADDED b"]);
  });

  test("timeoutSeconds and abort end the stream; bad selectors throw at once", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const timed = watch(h, R.pods, undefined, { timeoutSeconds: 0.05, resourceVersion: "0" });
    assert.equal(await timed.next(), undefined);
    const aborted = watch(h, R.pods, undefined, {});
    const pending = aborted.next();
    await aborted.close();
    assert.equal(await pending, undefined);
    assert.throws(() => h.registry.watch(R.pods, undefined, { labelSelector: "a in" }, new AbortController().signal),
      (e: unknown) => e instanceof StatusError && e.code === 400);
    assert.throws(() => h.registry.watch(R.pods, undefined, { resourceVersion: "x" }, new AbortController().signal),
      (e: unknown) => e instanceof StatusError && e.code === 400);
  });

  test("closing the registry ends open watches", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const w = watch(h, R.pods, undefined, { resourceVersion: "0" });
    const pending = w.next();
    h.registry.close();
    assert.equal(await pending, undefined);
  });
});
