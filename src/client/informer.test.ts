import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { findResource } from "../api/resources.js";
import { expired, internalError } from "../api/status-error.js";
import type { Pod } from "../api/types.js";
import { FakeClock } from "../util/clock.js";
import { byNodeName, stripManagedFields } from "./cache.js";
import type { ListOptions, WatchOptions } from "./client.js";
import { Informer, type EventHandler } from "./informer.js";
import { eventually, settle } from "./testing/eventually.js";
import { FakeClient } from "./testing/fake-client.js";

const podsResource = findResource("", "pods")!;

function pod(name: string, opts: { ns?: string; node?: string; app?: string } = {}): Pod {
  return { metadata: { namespace: opts.ns ?? "default", name, labels: opts.app ? { app: opts.app } : {} }, spec: { containers: [{ name: "c", image: "i" }], nodeName: opts.node } };
}

/** Records handler calls as compact strings, e.g. `add:default/a:initial`, `update:default/a:3->4`. */
function recorder(): { events: string[]; handler: EventHandler<Pod> } {
  const events: string[] = [];
  const id = (p: Pod): string => `${p.metadata?.namespace}/${p.metadata?.name}`;
  return {
    events,
    handler: {
      onAdd: (p, initial) => events.push(`add:${id(p)}${initial ? ":initial" : ""}`),
      onUpdate: (o, n) => events.push(`update:${id(n)}:${o.metadata?.resourceVersion}->${n.metadata?.resourceVersion}`),
      onDelete: (p) => events.push(`delete:${id(p)}`),
    },
  };
}

function start(client: FakeClient, extra: Partial<ConstructorParameters<typeof Informer<Pod>>[0]> = {}) {
  const clock = new FakeClock();
  const errors: unknown[] = [];
  const informer = new Informer<Pod>({ client, resource: podsResource, clock, onError: (e) => errors.push(e), ...extra });
  const rec = recorder();
  informer.addEventHandler(rec.handler);
  const ac = new AbortController();
  const run = informer.run(ac.signal);
  const stop = async (): Promise<void> => {
    ac.abort();
    await run;
    assert.equal(client.openWatches(), 0, "watches must be closed after stop");
  };
  return { informer, clock, errors, events: rec.events, ac, run, stop };
}

const calls = (c: FakeClient, verb: string) => c.calls.filter((x) => x.verb === verb);

describe("Informer", () => {
  test("lists, then watches from the list version and announces changes in order", async () => {
    const client = new FakeClient();
    await client.create(podsResource, "default", pod("a"));
    await client.create(podsResource, "default", pod("b"));
    const listRv = client.resourceVersion;
    const { informer, events, stop } = start(client);
    assert.equal(informer.hasSynced(), false);
    assert.equal(await informer.waitForSync(new AbortController().signal), true);
    assert.deepEqual(events, ["add:default/a:initial", "add:default/b:initial"]);
    await eventually(() => client.openWatches() === 1, "watch open");
    const watchOpts = calls(client, "watch")[0]?.options as WatchOptions;
    assert.equal(watchOpts.resourceVersion, listRv);
    assert.equal(watchOpts.allowWatchBookmarks, true);
    assert.equal((calls(client, "list")[0]?.options as ListOptions).limit, 500);

    await client.create(podsResource, "default", pod("c"));
    const a = await client.get<Pod>(podsResource, "default", "a");
    a.metadata!.labels = { x: "y" };
    await client.update(podsResource, "default", a);
    await client.delete(podsResource, "default", "b");
    await eventually(() => events.length === 5, "5 events");
    assert.deepEqual(events.slice(2), ["add:default/c", "update:default/a:1->4", "delete:default/b"]);
    assert.deepEqual(informer.store.listKeys().sort(), ["default/a", "default/c"]);
    assert.deepEqual(informer.store.get("default/a")?.metadata?.labels, { x: "y" });
    assert.equal(informer.lastSyncResourceVersion(), client.resourceVersion);
    await stop();
  });

  test("lists in pages, following continue tokens", async () => {
    const client = new FakeClient();
    for (let i = 0; i < 7; i++) await client.create(podsResource, "default", pod(`p${i}`));
    const { informer, events, stop } = start(client, { pageSize: 3 });
    await informer.waitForSync(new AbortController().signal);
    const lists = calls(client, "list").map((c) => c.options as ListOptions);
    assert.equal(lists.length, 3);
    assert.deepEqual(lists.map((o) => o.limit), [3, 3, 3]);
    assert.equal(lists[0]?.continue, undefined);
    assert.ok(lists[1]?.continue && lists[2]?.continue);
    assert.equal(informer.store.size, 7);
    assert.equal(events.length, 7);
    assert.equal(informer.store.get("default/p0")?.kind, "Pod", "list items get their kind filled in");
    await stop();
  });

  test("passes namespace and selectors to list and watch; indexers are queryable", async () => {
    const client = new FakeClient();
    await client.create(podsResource, "ns1", pod("a", { ns: "ns1", app: "web", node: "n1" }));
    await client.create(podsResource, "ns1", pod("b", { ns: "ns1", app: "db", node: "n1" }));
    await client.create(podsResource, "ns2", pod("c", { ns: "ns2", app: "web", node: "n1" }));
    const { informer, stop } = start(client, { namespace: "ns1", labelSelector: "app=web", indexers: { node: byNodeName } });
    await informer.waitForSync(new AbortController().signal);
    assert.deepEqual(informer.store.byIndexKeys("node", "n1"), ["ns1/a"]);
    await eventually(() => client.openWatches() === 1);
    const w = calls(client, "watch")[0]!;
    assert.equal(w.namespace, "ns1");
    assert.equal((w.options as WatchOptions).labelSelector, "app=web");
    await stop();
  });

  test("a transform applies to listed and watched objects before the store and handlers see them", async () => {
    const client = new FakeClient();
    const managedFields = [{ manager: "kubectl", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } }];
    await client.create(podsResource, "default", { ...pod("a"), metadata: { ...pod("a").metadata, managedFields } });
    const seen: Pod[] = [];
    const { informer, stop } = start(client, { transform: stripManagedFields });
    informer.addEventHandler({ onAdd: (p) => seen.push(p), onUpdate: (_o, n) => seen.push(n), onDelete: (p) => seen.push(p) });
    await informer.waitForSync(new AbortController().signal);
    await eventually(() => client.openWatches() === 1);
    const b = await client.create(podsResource, "default", { ...pod("b"), metadata: { ...pod("b").metadata, managedFields } });
    await client.update(podsResource, "default", { ...b, spec: { ...b.spec, nodeName: "n1" } } as Pod);
    await client.delete(podsResource, "default", "a");
    await eventually(() => seen.length === 4);
    assert.deepEqual(seen.map((p) => [p.metadata?.name, p.metadata?.managedFields]), [["a", undefined], ["b", undefined], ["b", undefined], ["a", undefined]]);
    assert.equal(informer.store.get("default/b")?.spec?.nodeName, "n1");
    assert.equal(informer.store.get("default/b")?.metadata?.managedFields, undefined);
    assert.deepEqual((await client.get<Pod>(podsResource, "default", "b")).metadata?.managedFields, managedFields, "the stored object keeps them");
    await stop();
  });

  test("a handler added after sync first receives the cached objects as initial adds", async () => {
    const client = new FakeClient();
    await client.create(podsResource, "default", pod("a"));
    const { informer, stop } = start(client);
    await informer.waitForSync(new AbortController().signal);
    const late = recorder();
    const reg = informer.addEventHandler(late.handler);
    assert.deepEqual(late.events, ["add:default/a:initial"]);
    await eventually(() => client.openWatches() === 1);
    reg.remove();
    await client.create(podsResource, "default", pod("b"));
    await eventually(() => informer.store.size === 2);
    assert.deepEqual(late.events, ["add:default/a:initial"], "removed handlers get nothing more");
    await stop();
  });

  test("a throwing handler is reported and does not stop delivery", async () => {
    const client = new FakeClient();
    const { informer, errors, events, stop } = start(client);
    informer.addEventHandler({ onAdd: () => { throw new Error("handler bug"); } });
    await informer.waitForSync(new AbortController().signal);
    await eventually(() => client.openWatches() === 1);
    await client.create(podsResource, "default", pod("a"));
    await client.create(podsResource, "default", pod("b"));
    await eventually(() => events.length === 2);
    assert.deepEqual(events, ["add:default/a", "add:default/b"]);
    assert.equal(errors.length, 2);
    await stop();
  });

  test("handlers added or removed while an event is dispatched take effect from the next event", async () => {
    const client = new FakeClient();
    const { informer, events, stop } = start(client);
    await informer.waitForSync(new AbortController().signal);
    await eventually(() => client.openWatches() === 1);
    const added = recorder();
    const removed = recorder();
    let registration: { remove(): void } | undefined;
    informer.addEventHandler({
      onAdd: () => {
        if (registration !== undefined) return;
        registration = informer.addEventHandler(added.handler);
        later.remove();
      },
    });
    const later = informer.addEventHandler(removed.handler);
    await client.create(podsResource, "default", pod("a"));
    await client.create(podsResource, "default", pod("b"));
    await eventually(() => events.length === 2);
    assert.deepEqual(removed.events, ["add:default/a"], "a handler removed during a dispatch still gets that event, then none");
    assert.deepEqual(added.events, ["add:default/a:initial", "add:default/b"], "a handler added during a dispatch gets the cache, then later events");
    await stop();
  });

  test("an ERROR 410 event relists and announces exactly the difference", async () => {
    const client = new FakeClient();
    for (const n of ["keep", "change", "gone"]) await client.create(podsResource, "default", pod(n));
    const { informer, events, stop } = start(client);
    await informer.waitForSync(new AbortController().signal);
    await eventually(() => client.openWatches() === 1);
    events.length = 0;
    client.injectWatchError();
    // These changes are queued behind the ERROR, so the informer never sees them as events.
    const change = await client.get<Pod>(podsResource, "default", "change");
    change.metadata!.labels = { v: "2" };
    await client.update(podsResource, "default", change);
    await client.delete(podsResource, "default", "gone");
    await client.create(podsResource, "default", pod("new"));
    client.compact();
    await eventually(() => calls(client, "list").length === 2, "relist");
    await eventually(() => events.length === 3, "diff events");
    assert.deepEqual(events, ["add:default/new", "update:default/change:2->4", "delete:default/gone"]);
    assert.deepEqual(informer.store.listKeys().sort(), ["default/change", "default/keep", "default/new"]);
    await eventually(() => client.openWatches() === 1, "re-watch");
    assert.equal((calls(client, "watch")[1]?.options as WatchOptions).resourceVersion, client.resourceVersion);
    await stop();
  });

  test("a thrown 410 from watch also relists; back-to-back expiries back off", async () => {
    const client = new FakeClient();
    await client.create(podsResource, "default", pod("a"));
    const { informer, clock, events, errors, stop } = start(client);
    await informer.waitForSync(new AbortController().signal);
    await eventually(() => client.openWatches() === 1);
    client.failNext("watch", expired("too old resource version: 1 (5)"));
    await client.delete(podsResource, "default", "a");
    await eventually(() => events.length === 2);
    client.endWatches();
    await client.create(podsResource, "default", pod("b"));
    await eventually(() => calls(client, "list").length === 2, "immediate relist after a thrown 410");
    await eventually(() => events.length === 3);
    assert.deepEqual(events, ["add:default/a:initial", "delete:default/a", "add:default/b"]);

    await eventually(() => client.openWatches() === 1);
    clock.advance(1000); // a quiet watch that stayed up for a second counts as healthy
    client.failNext("watch", expired("too old resource version"));
    client.injectWatchError();
    await eventually(() => calls(client, "list").length === 3, "immediate relist after the ERROR event");
    await eventually(() => calls(client, "watch").length === 4);
    await settle();
    assert.equal(calls(client, "list").length, 3, "a second expiry in a row waits for the backoff");
    clock.advance(800);
    await eventually(() => calls(client, "list").length === 4);
    await eventually(() => client.openWatches() === 1);
    assert.equal(errors.length, 0, "410 is routine, not an error");
    await stop();
  });

  test("a non-410 ERROR event is reported and the watch resumes from the last version after backoff", async () => {
    const client = new FakeClient();
    const { informer, clock, events, errors, stop } = start(client);
    await informer.waitForSync(new AbortController().signal);
    await eventually(() => client.openWatches() === 1);
    await client.create(podsResource, "default", pod("a"));
    await eventually(() => events.length === 1);
    client.injectWatchError(internalError("etcd hiccup"));
    await eventually(() => errors.length === 1);
    await client.create(podsResource, "default", pod("b"));
    await settle();
    assert.equal(calls(client, "watch").length, 1);
    clock.advance(800);
    await eventually(() => events.length === 2);
    assert.deepEqual(events, ["add:default/a", "add:default/b"]);
    assert.equal(calls(client, "list").length, 1);
    await stop();
  });

  test("re-watches from the last seen version after a stream ends, without duplicates", async () => {
    const client = new FakeClient();
    const { informer, events, stop } = start(client);
    await informer.waitForSync(new AbortController().signal);
    await eventually(() => client.openWatches() === 1);
    await client.create(podsResource, "default", pod("x"));
    await eventually(() => events.length === 1);
    const rvX = client.resourceVersion;
    client.endWatches();
    await client.create(podsResource, "default", pod("y"));
    await eventually(() => calls(client, "watch").length === 2, "second watch");
    await eventually(() => events.length === 2);
    await settle();
    assert.deepEqual(events, ["add:default/x", "add:default/y"]);
    assert.equal((calls(client, "watch")[1]?.options as WatchOptions).resourceVersion, rvX);
    assert.equal(calls(client, "list").length, 1, "no relist needed");
    await stop();
  });

  test("bookmarks advance the resume version without events", async () => {
    const client = new FakeClient();
    const other = findResource("apps", "daemonsets")!;
    const { informer, events, stop } = start(client);
    await informer.waitForSync(new AbortController().signal);
    await eventually(() => client.openWatches() === 1);
    await client.create(other, "default", { metadata: { name: "ds" } });
    client.bookmark();
    await eventually(() => informer.lastSyncResourceVersion() === client.resourceVersion);
    assert.deepEqual(events, []);
    await stop();
  });

  test("list failures are reported and retried after a clock-driven backoff", async () => {
    const client = new FakeClient();
    await client.create(podsResource, "default", pod("a"));
    client.failNext("list", internalError("disk on fire"));
    client.failNext("list", internalError("still on fire"));
    const { informer, clock, errors, stop } = start(client, { backoffInitialMs: 100, backoffMaxMs: 150 });
    await eventually(() => errors.length === 1);
    await settle();
    assert.equal(calls(client, "list").length, 1);
    clock.advance(99);
    await settle();
    assert.equal(calls(client, "list").length, 1, "no retry before the backoff");
    clock.advance(1);
    await eventually(() => errors.length === 2);
    await settle();
    clock.advance(149);
    await settle();
    assert.equal(calls(client, "list").length, 2, "second backoff doubles, capped at 150");
    clock.advance(1);
    assert.equal(await informer.waitForSync(new AbortController().signal), true);
    await stop();
  });

  test("waitForSync answers false when its signal aborts first; run may only start once", async () => {
    const client = new FakeClient();
    const informer = new Informer<Pod>({ client, resource: podsResource, clock: new FakeClock() });
    const ac = new AbortController();
    const waiting = informer.waitForSync(ac.signal);
    ac.abort();
    assert.equal(await waiting, false);
    assert.equal(await informer.waitForSync(AbortSignal.abort()), false);
    const runAc = new AbortController();
    const run = informer.run(runAc.signal);
    await assert.rejects(informer.run(runAc.signal), /already started/);
    assert.equal(await informer.waitForSync(new AbortController().signal), true);
    runAc.abort();
    await run;
  });

  test("abort during a pending list stops cleanly without announcing it", async () => {
    const client = new FakeClient();
    await client.create(podsResource, "default", pod("a"));
    const { events, stop } = start(client);
    await stop();
    assert.deepEqual(events, []);
  });
});
