import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EndpointSlice, SliceEndpoint } from "../../api/types.js";
import { endpointKey, portsKey, type EndpointGroup } from "./desired-endpoints.js";
import { planSlices, type PlanInput } from "./slice-plan.js";

const ports = [{ name: "http", port: 8080, protocol: "TCP" }];
const meta = { namespace: "ns", generateName: "web-", labels: { "kubernetes.io/service-name": "web" }, ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "web", uid: "u" }] };

function ep(i: number, ready = true): SliceEndpoint {
  return { addresses: [`10.0.${Math.floor(i / 256)}.${i % 256}`], conditions: { ready, serving: ready, terminating: false }, targetRef: { kind: "Pod", namespace: "ns", name: `p${i}`, uid: `u${i}` } };
}

function group(eps: SliceEndpoint[], p = ports): Map<string, EndpointGroup> {
  return new Map([[portsKey(p), { ports: p, endpoints: new Map(eps.map((e) => [endpointKey(e), e])) }]]);
}

function range(from: number, to: number): SliceEndpoint[] {
  return Array.from({ length: to - from }, (_, i) => ep(from + i));
}

function existing(name: string, eps: SliceEndpoint[], p = ports): EndpointSlice {
  return { metadata: { name, namespace: "ns", resourceVersion: "5", labels: meta.labels, ownerReferences: meta.ownerReferences }, addressType: "IPv4", endpoints: eps, ports: p };
}

function plan(input: Partial<PlanInput>): ReturnType<typeof planSlices> {
  return planSlices({ addressType: "IPv4", existing: [], desired: new Map(), meta, ...input });
}

describe("planSlices", () => {
  test("250 endpoints make slices of 100, 100 and 50 with the ports, labels, owner and trigger time", () => {
    const p = plan({ desired: group(range(0, 250)), triggerTime: "2024-05-01T10:00:00Z" });
    assert.deepEqual(p.create.map((s) => s.endpoints.length), [100, 100, 50]);
    assert.deepEqual([p.update, p.delete], [[], []]);
    const s = p.create[0];
    assert.deepEqual(s?.ports, ports);
    assert.equal(s?.metadata?.generateName, "web-");
    assert.deepEqual(s?.metadata?.labels, meta.labels);
    assert.deepEqual(s?.metadata?.annotations, { "endpoints.kubernetes.io/last-change-trigger-time": "2024-05-01T10:00:00Z" });
  });

  test("a changed endpoint updates only its slice; nothing changed writes nothing", () => {
    const slices = [existing("a", range(0, 100)), existing("b", range(100, 200))];
    const desired = range(0, 200);
    desired[150] = ep(150, false);
    const p = plan({ existing: slices, desired: group(desired) });
    assert.deepEqual([p.create.length, p.delete.length, p.update.map((s) => s.metadata?.name)], [0, 0, ["b"]]);
    assert.equal(p.update[0]?.endpoints[50]?.conditions?.ready, false);
    assert.equal(p.update[0]?.metadata?.resourceVersion, "5");
    assert.deepEqual(plan({ existing: slices, desired: group(range(0, 200)) }), { create: [], update: [], delete: [] });
  });

  test("new endpoints fill a slice being updated, then one unchanged slice with room, before creating one", () => {
    const slices = [existing("a", range(0, 100)), existing("b", range(100, 150))];
    const p = plan({ existing: slices, desired: group(range(0, 160)) });
    assert.deepEqual([p.create.length, p.update.map((s) => [s.metadata?.name, s.endpoints.length])], [0, [["b", 60]]]);
    const removed = plan({ existing: slices, desired: group([...range(0, 99), ...range(100, 150), ...range(150, 151)]) });
    assert.deepEqual(removed.update.map((s) => [s.metadata?.name, s.endpoints.length]), [["a", 100]]);
  });

  test("a slice whose endpoints all went is deleted; with none left a placeholder without endpoints or ports remains", () => {
    const p = plan({ existing: [existing("a", range(0, 3))], desired: new Map() });
    assert.deepEqual(p.delete.map((s) => s.metadata?.name), ["a"]);
    assert.equal(p.create.length, 1);
    assert.deepEqual([p.create[0]?.endpoints, p.create[0]?.ports], [[], undefined]);
    const placeholder = existing("ph", [], []);
    delete placeholder.ports;
    assert.deepEqual(plan({ existing: [placeholder], desired: new Map() }), { create: [], update: [], delete: [] });
    const filled = plan({ existing: [placeholder], desired: group(range(0, 2)) });
    assert.deepEqual([filled.delete.map((s) => s.metadata?.name), filled.create.map((s) => s.endpoints.length)], [["ph"], [2]]);
  });

  test("a changed port set or address type replaces the slice; changed Service labels update it", () => {
    const other = [{ name: "http", port: 9090, protocol: "TCP" }];
    const p = plan({ existing: [existing("a", range(0, 2))], desired: group(range(0, 2), other) });
    assert.deepEqual([p.delete.map((s) => s.metadata?.name), p.create[0]?.ports], [["a"], other]);
    const relabelled = plan({ existing: [existing("a", range(0, 2))], desired: group(range(0, 2)), meta: { ...meta, labels: { ...meta.labels, tier: "web" } } });
    assert.deepEqual(relabelled.update.map((s) => s.metadata?.labels?.tier), ["web"]);
  });
});
