import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../api/types.js";
import { defaultEventTtlMs, eventLastTouched, expireEvents } from "./event-expiry.js";
import { R, startHarness } from "./registry/testing/fixtures.js";

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function event(name: string, fields: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "v1", kind: "Event", metadata: { name, namespace: "default" },
    involvedObject: { kind: "Pod", namespace: "default", name: "p" }, reason: "Test", message: name, type: "Normal", count: 1, ...fields,
  } as KubeObject;
}

test("an event untouched for the TTL is deleted; one updated since, or recent, is kept", async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  // Creation is stamped by the registry's clock (2024-05-01T10:00:00Z); the events' own timestamps follow it.
  const base = h.clock.now().getTime();
  const minutes = (m: number): string => iso(base + m * 60_000);
  await h.registry.create(R.events, "default", event("old", { firstTimestamp: minutes(0), lastTimestamp: minutes(0) }));
  await h.registry.create(R.events, "default", event("repeated", { firstTimestamp: minutes(0), lastTimestamp: minutes(90), count: 7 }));
  await h.registry.create(R.events, "default", event("series", { eventTime: `${minutes(0).slice(0, -1)}.000000Z`, series: { count: 3, lastObservedTime: `${minutes(100).slice(0, -1)}.000000Z` }, reportingComponent: "test", reportingInstance: "test-1", action: "Testing" }));
  await h.registry.create(R.events, "other", { ...event("old-elsewhere", { lastTimestamp: minutes(10), involvedObject: { kind: "Pod", namespace: "other", name: "p" } }), metadata: { name: "old-elsewhere", namespace: "other" } });

  // Two hours after creation: "old" (0 min) and "old-elsewhere" (10 min) are past the hour; 90 and 100 min are not.
  const deleted = await expireEvents(h.registry, defaultEventTtlMs, base + 120 * 60_000);
  assert.equal(deleted, 2);
  assert.deepEqual((await h.registry.list(R.events, undefined)).items.map((e) => e.metadata?.name).sort(), ["repeated", "series"]);
  // Nothing is deleted early: a pass at 149 minutes keeps the event last touched at 90.
  assert.equal(await expireEvents(h.registry, defaultEventTtlMs, base + 149 * 60_000), 0);
  assert.equal(await expireEvents(h.registry, defaultEventTtlMs, base + 161 * 60_000), 2);
});

test("an event created within the TTL is kept, whatever older times it carries", async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const base = h.clock.now().getTime();
  // Recorded late: its own times are two hours old, but it was created (touched) at base.
  await h.registry.create(R.events, "default", event("late", { firstTimestamp: iso(base - 120 * 60_000), lastTimestamp: iso(base - 120 * 60_000) }));
  assert.equal(await expireEvents(h.registry, defaultEventTtlMs, base + 30 * 60_000), 0);
  assert.equal(await expireEvents(h.registry, defaultEventTtlMs, base + 61 * 60_000), 1);
});

test("the last touch is the latest of creation, first and last timestamps, eventTime and the series' last observation", () => {
  const e = event("x", { firstTimestamp: "2030-01-01T00:00:00Z", lastTimestamp: "2030-01-01T00:10:00Z", eventTime: "2030-01-01T00:05:00.000000Z", series: { lastObservedTime: "2030-01-01T00:20:00.000000Z" } });
  e.metadata = { ...e.metadata, creationTimestamp: "2030-01-01T00:00:00Z" };
  assert.equal(eventLastTouched(e), Date.parse("2030-01-01T00:20:00Z"));
  assert.ok(Number.isNaN(eventLastTouched({ metadata: { name: "y" } })));
});
