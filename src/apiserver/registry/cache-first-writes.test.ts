import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../api/types.js";
import { storageKey } from "../../api/resources.js";
import { decodeStored } from "../../client/port-protocol.js";
import { decodeObject, encodeObject } from "./codec.js";
import { R, daemonSet, pod, rejects, startHarness, type Harness } from "./testing/fixtures.js";

type Mutable = Record<string, any>;

/** Counts the backend's reads of single keys from now on. */
function countReads(h: Harness): { get: number } {
  const calls = { get: 0 };
  const get = h.backend.get.bind(h.backend);
  h.backend.get = (...args) => { calls.get++; return get(...args); };
  return calls;
}

/** The object stored at the pod's key, decoded. */
async function stored(h: Harness, name: string): Promise<KubeObject | undefined> {
  const kv = (await h.backend.get(storageKey(R.pods, "default", name))).kv;
  return kv === undefined ? undefined : decodeObject(kv);
}

/** Checks that the registry noted the stored value `answer` decodes from, and that it does. */
function assertStoredForm(h: Harness, answer: KubeObject, what: string): void {
  const form = h.registry.storedFormOf(answer);
  assert.ok(form, `${what}: the answer's stored form is known`);
  assert.deepEqual(decodeStored(form.stored, form.resourceVersion), answer, what);
}

describe("registry writes starting from the watch cache", () => {
  test("a delete starts from the cache: no storage read once the cache holds the registry's writes; the answer is a copy", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p", { labels: { app: "a" } }));
    const before = await h.registry.get(R.pods, "default", "p");
    const reads = countReads(h);
    const deleted = await h.registry.delete(R.pods, "default", "p", { gracePeriodSeconds: 0 });
    assert.equal(reads.get, 0);
    assert.deepEqual(deleted, before, "a pod delete answers with the pod as it was");
    assertStoredForm(h, deleted, "deleted pod");
    (deleted as Mutable).metadata.labels.app = "scribbled";
    assert.equal(await stored(h, "p"), undefined);

    const ds = await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    await h.registry.get(R.daemonsets, "default", "d");
    reads.get = 0;
    await rejects(h.registry.delete(R.daemonsets, "default", "d", { preconditions: { uid: "other" } }), 409);
    assert.equal(reads.get, 0, "a refusal from a current cache needs no confirmation");
    const status = await h.registry.delete(R.daemonsets, "default", "d");
    assert.equal(status.kind, "Status");
    assert.equal((status.details as { uid?: string }).uid, ds.metadata?.uid);
    await rejects(h.registry.get(R.daemonsets, "default", "d"), 404);
  });

  test("a delete from a stale cache deletes the version storage holds", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p", { labels: { app: "a" } }));
    await h.registry.get(R.pods, "default", "p");
    const key = storageKey(R.pods, "default", "p");
    const current = (await h.backend.get(key)).kv!;
    const direct = decodeObject(current);
    direct.metadata = { ...direct.metadata, labels: { app: "a", direct: "yes" } };
    // Written behind the cache's back: the delete below starts from the cache's older version.
    await h.backend.update(key, encodeObject(direct), current.modRevision);
    const deleted: Mutable = await h.registry.delete(R.pods, "default", "p", { gracePeriodSeconds: 0 });
    assert.deepEqual(deleted.metadata.labels, { app: "a", direct: "yes" });
    assertStoredForm(h, deleted, "deleted pod read from storage");
    assert.equal(await stored(h, "p"), undefined);
  });

  test("a graceful delete from the cache marks the stored pod; deleting again while pending answers a copy", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p", { nodeName: "n1" }));
    await h.registry.get(R.pods, "default", "p");
    const marked: Mutable = await h.registry.delete(R.pods, "default", "p", { gracePeriodSeconds: 30 });
    assert.ok(marked.metadata.deletionTimestamp);
    assertStoredForm(h, marked, "marked pod");
    assert.deepEqual(marked, await stored(h, "p"));
    await h.registry.get(R.pods, "default", "p");
    const reads = countReads(h);
    const again: Mutable = await h.registry.delete(R.pods, "default", "p", { gracePeriodSeconds: 30 });
    assert.equal(reads.get, 0);
    assert.deepEqual(again, marked);
    (again as Mutable).metadata.labels = { scribbled: "yes" };
    assert.deepEqual(await h.registry.get(R.pods, "default", "p"), marked);
  });

  test("a no-op update from a current cache reads no storage and answers a copy of the stored object", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const created = await h.registry.create(R.pods, "default", pod("p", { labels: { app: "a" } }));
    assertStoredForm(h, created, "created pod");
    const patched = await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { labels: { app: "b" } } });
    assertStoredForm(h, patched, "patched pod");
    await h.registry.get(R.pods, "default", "p");
    const reads = countReads(h);
    const unchanged: Mutable = await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { labels: { app: "b" } } });
    assert.equal(reads.get, 0);
    assert.deepEqual(unchanged, patched);
    assertStoredForm(h, unchanged, "no-op answer");
    (unchanged as Mutable).metadata.labels.app = "scribbled";
    assert.deepEqual(await h.registry.get(R.pods, "default", "p"), patched);
  });

  test("with other writers (consistent reads), outcomes computed from the cache are confirmed from storage", async (t) => {
    const h = await startHarness({ consistentReads: true });
    t.after(() => h.close());
    const created = await h.registry.create(R.pods, "default", pod("p", { labels: { app: "a" } }));
    await h.registry.get(R.pods, "default", "p");
    const reads = countReads(h);
    assert.deepEqual(await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { labels: { app: "a" } } }), created);
    assert.equal(reads.get, 1, "the no-op is confirmed by a read of storage");
    await rejects(h.registry.delete(R.pods, "default", "p", { preconditions: { uid: "other" } }), 409);
    assert.equal(reads.get, 2, "the delete's refusal is confirmed by a read of storage");
  });
});

describe("registry writes for a caller that only serializes the answers", () => {
  test("the watch cache keeps the objects written, equal to what is stored; answers are equal to them", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const client = h.registry.serializingClient();
    const agree = async (answer: KubeObject, what: string): Promise<void> => {
      const name = answer.metadata?.name ?? "";
      const got = await h.registry.get(R.pods, "default", name);
      assert.deepEqual(got, await stored(h, name), `${what}: the cache's object is what is stored`);
      assert.deepEqual(answer, got, `${what}: the answer`);
      assertStoredForm(h, answer, what);
    };
    await agree(await client.create(R.pods, "default", pod("p", { labels: { app: "a" } })), "create");
    await agree(await client.patch(R.pods, "default", "p", "merge", { metadata: { labels: { app: "b" } } }), "merge patch");
    await agree(await client.patch(R.pods, "default", "p", "strategic", { spec: { containers: [{ name: "main", image: "nginx:1.26" }] } }), "strategic patch");
    await agree(await client.patch(R.pods, "default", "p", "merge", { status: { phase: "Pending" } }, { subresource: "status" }), "status patch");
    const current = await h.registry.get(R.pods, "default", "p");
    await agree(await client.update(R.pods, "default", { ...current, metadata: { ...current.metadata, annotations: { x: "1" } } }), "update");
    const again = await h.registry.get(R.pods, "default", "p");
    await agree(await client.updateStatus(R.pods, "default", { ...again, status: { phase: "Running" } }), "status update");
    await client.createSubresource(R.pods, "default", "p", "binding", { metadata: { name: "p" }, target: { kind: "Node", name: "n1" } });
    const bound = await h.registry.get(R.pods, "default", "p");
    assert.equal((bound.spec as { nodeName?: string }).nodeName, "n1");
    assert.deepEqual(bound, await stored(h, "p"), "binding: the cache's object is what is stored");
    await agree(await client.create(R.pods, "default", { ...pod(""), metadata: { generateName: "g-" } }), "generated name");
    const marked = await client.delete(R.pods, "default", "p", { gracePeriodSeconds: 30 });
    assert.ok(marked.metadata?.deletionTimestamp);
    await agree(marked, "graceful delete");
    const deleted = await client.delete(R.pods, "default", "p", { gracePeriodSeconds: 0 });
    assert.deepEqual({ ...deleted, metadata: { ...deleted.metadata, resourceVersion: undefined } }, { ...marked, metadata: { ...marked.metadata, resourceVersion: undefined } });
    assert.equal(await stored(h, "p"), undefined);
  });
});
