import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "../api/types.js";
import { podHostPorts, takenHostPort } from "./host-port-admission.js";

const pod = (ports: { hostPort?: number; hostIP?: string; protocol?: string }[], sidecar = false): Pod => ({
  spec: {
    containers: sidecar ? [{ name: "main" }] : [{ name: "c", ports: ports.map((p) => ({ containerPort: p.hostPort ?? 80, ...p })) }],
    initContainers: sidecar ? [{ name: "side", restartPolicy: "Always", ports: ports.map((p) => ({ containerPort: p.hostPort ?? 80, ...p })) }] : [],
  },
});

test("host ports default to TCP on 0.0.0.0; ports without hostPort are not host ports; sidecars count", () => {
  assert.deepEqual(podHostPorts(pod([{ hostPort: 8080 }, {}])), [{ protocol: "TCP", ip: "0.0.0.0", port: 8080 }]);
  assert.deepEqual(podHostPorts(pod([{ hostPort: 53, protocol: "UDP", hostIP: "10.0.0.1" }], true)), [{ protocol: "UDP", ip: "10.0.0.1", port: 53 }]);
});

test("a port is taken when protocol and port match and either side binds every address or both the same one", () => {
  const running = [pod([{ hostPort: 8080 }]), pod([{ hostPort: 53, protocol: "UDP", hostIP: "10.0.0.1" }])];
  assert.deepEqual(takenHostPort(pod([{ hostPort: 8080, hostIP: "10.0.0.2" }]), running), { protocol: "TCP", ip: "10.0.0.2", port: 8080 });
  assert.equal(takenHostPort(pod([{ hostPort: 8080, protocol: "UDP" }]), running), undefined);
  assert.equal(takenHostPort(pod([{ hostPort: 53, protocol: "UDP", hostIP: "10.0.0.2" }]), running), undefined);
  assert.ok(takenHostPort(pod([{ hostPort: 53, protocol: "UDP" }]), running));
  assert.equal(takenHostPort(pod([{ hostPort: 9090 }]), running), undefined);
});
