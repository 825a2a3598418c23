import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Pod, Service } from "../../api/types.js";
import { computeSubsets, truncateSubsets } from "./endpoints-subsets.js";
import { findPort } from "./pod-endpoints.js";

function svc(spec: Service["spec"], name = "web"): Service {
  return { metadata: { name, namespace: "ns" }, spec: { selector: { app: "web" }, ...spec } };
}

function pod(name: string, ip: string, opts: { ready?: boolean; phase?: string; deleting?: boolean; ports?: { name: string; containerPort: number }[]; hostname?: string; subdomain?: string } = {}): Pod {
  return {
    metadata: { name, namespace: "ns", uid: `uid-${name}`, labels: { app: "web" }, ...(opts.deleting ? { deletionTimestamp: "2024-05-01T10:00:00Z" } : {}) },
    spec: { nodeName: `node-of-${name}`, hostname: opts.hostname, subdomain: opts.subdomain, containers: [{ name: "c", ports: opts.ports ?? [{ name: "http", containerPort: 8080 }] }] },
    status: { phase: opts.phase ?? "Running", podIP: ip, conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }] },
  };
}

describe("computeSubsets", () => {
  test("ready and not-ready addresses, named target port resolved per pod, sorted by IP", () => {
    const service = svc({ ports: [{ name: "web", port: 80, targetPort: "http" }] });
    const { subsets, ready, notReady } = computeSubsets(service, [pod("b", "10.0.0.10"), pod("a", "10.0.0.9"), pod("c", "10.0.0.11", { ready: false })]);
    assert.equal(ready, 2);
    assert.equal(notReady, 1);
    assert.deepEqual(subsets, [{
      addresses: [
        { ip: "10.0.0.9", nodeName: "node-of-a", targetRef: { kind: "Pod", namespace: "ns", name: "a", uid: "uid-a" } },
        { ip: "10.0.0.10", nodeName: "node-of-b", targetRef: { kind: "Pod", namespace: "ns", name: "b", uid: "uid-b" } },
      ],
      notReadyAddresses: [{ ip: "10.0.0.11", nodeName: "node-of-c", targetRef: { kind: "Pod", namespace: "ns", name: "c", uid: "uid-c" } }],
      ports: [{ name: "web", port: 8080, protocol: "TCP" }],
    }]);
  });

  test("pods offering different ports land in different subsets; a pod lacking the named port is left out", () => {
    const service = svc({ ports: [{ name: "web", port: 80, targetPort: "http" }] });
    const other = pod("b", "10.0.0.2", { ports: [{ name: "http", containerPort: 9090 }] });
    const none = pod("c", "10.0.0.3", { ports: [{ name: "metrics", containerPort: 9100 }] });
    const { subsets } = computeSubsets(service, [pod("a", "10.0.0.1"), other, none]);
    assert.deepEqual(subsets.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.[0]?.port]), [[["10.0.0.1"], 8080], [["10.0.0.2"], 9090]]);
  });

  test("terminated, IP-less and terminating pods are left out; publishNotReadyAddresses keeps terminating and not-ready ones as ready", () => {
    const pods = [pod("a", "10.0.0.1", { phase: "Failed" }), pod("b", ""), pod("c", "10.0.0.3", { deleting: true }), pod("d", "10.0.0.4", { ready: false })];
    const strict = computeSubsets(svc({ ports: [{ port: 80 }] }), pods);
    assert.deepEqual(strict.subsets.map((s) => [s.addresses, s.notReadyAddresses?.map((a) => a.ip)]), [[undefined, ["10.0.0.4"]]]);
    const tolerant = computeSubsets(svc({ ports: [{ port: 80 }], publishNotReadyAddresses: true }), pods);
    assert.deepEqual(tolerant.subsets[0]?.addresses?.map((a) => a.ip), ["10.0.0.3", "10.0.0.4"]);
    assert.deepEqual(tolerant.subsets[0]?.ports, [{ port: 80, protocol: "TCP" }]);
  });

  test("headless Service without ports: one portless subset; hostname set when the pod's subdomain names the Service", () => {
    const { subsets } = computeSubsets(svc({ clusterIP: "None" }), [pod("a", "10.0.0.1", { hostname: "a-host", subdomain: "web" }), pod("b", "10.0.0.2", { hostname: "b-host", subdomain: "other" })]);
    assert.deepEqual(subsets.map((s) => s.addresses?.map((a) => [a.ip, a.hostname])), [[["10.0.0.1", "a-host"], ["10.0.0.2", undefined]]]);
    assert.equal(subsets[0]?.ports, undefined);
  });
});

describe("truncateSubsets", () => {
  const addrs = (n: number, base: number): { ip: string }[] => Array.from({ length: n }, (_, i) => ({ ip: `10.${base}.${Math.floor(i / 256)}.${i % 256}` }));

  test("more than 1000 ready addresses: kept in proportion per subset, not-ready ones dropped", () => {
    const subsets = [{ addresses: addrs(1200, 1), notReadyAddresses: addrs(5, 9) }, { addresses: addrs(300, 2) }];
    assert.equal(truncateSubsets(subsets), true);
    assert.equal(subsets[0]?.addresses?.length, 800);
    assert.equal(subsets[0]?.notReadyAddresses, undefined);
    assert.equal(subsets[1]?.addresses?.length, 200);
  });

  test("ready addresses fit: only not-ready ones are cut; at or under 1000 nothing changes", () => {
    const subsets = [{ addresses: addrs(900, 1), notReadyAddresses: addrs(300, 2) }];
    assert.equal(truncateSubsets(subsets), true);
    assert.deepEqual([subsets[0]?.addresses?.length, subsets[0]?.notReadyAddresses?.length], [900, 100]);
    const fits = [{ addresses: addrs(1000, 1) }];
    assert.equal(truncateSubsets(fits), false);
    assert.equal(fits[0]?.addresses.length, 1000);
  });
});

describe("findPort", () => {
  test("numbers as is, names by name and protocol, restartable init containers included", () => {
    const p: Pod = { spec: { containers: [{ name: "c", ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }] }], initContainers: [{ name: "side", restartPolicy: "Always", ports: [{ name: "proxy", containerPort: 15001 }] }] } };
    assert.equal(findPort(p, { port: 80 }), 80);
    assert.equal(findPort(p, { port: 80, targetPort: 8080 }), 8080);
    assert.equal(findPort(p, { port: 53, targetPort: "dns", protocol: "UDP" }), 53);
    assert.equal(findPort(p, { port: 53, targetPort: "dns" }), undefined);
    assert.equal(findPort(p, { port: 1, targetPort: "proxy" }), 15001);
  });
});
