import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod, Service } from "../api/types.js";
import { podServiceEnv } from "./service-env.js";

const services: Service[] = [
  { metadata: { name: "log-agent", namespace: "ns" }, spec: { clusterIP: "10.96.0.20", ports: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "syslog", port: 514, protocol: "UDP" }] } },
  { metadata: { name: "headless", namespace: "ns" }, spec: { clusterIP: "None", ports: [{ port: 80 }] } },
];
const pod: Pod = { metadata: { name: "p", namespace: "ns" }, spec: { containers: [] } };

test("service links as the kubelet writes them, and the kubernetes variables naming the API server", () => {
  assert.deepEqual(podServiceEnv(pod, services, { host: "192.0.2.1", port: 6443 }), {
    LOG_AGENT_SERVICE_HOST: "10.96.0.20", LOG_AGENT_SERVICE_PORT: "8080", LOG_AGENT_SERVICE_PORT_HTTP: "8080", LOG_AGENT_SERVICE_PORT_SYSLOG: "514",
    LOG_AGENT_PORT: "tcp://10.96.0.20:8080",
    LOG_AGENT_PORT_8080_TCP: "tcp://10.96.0.20:8080", LOG_AGENT_PORT_8080_TCP_PROTO: "tcp", LOG_AGENT_PORT_8080_TCP_PORT: "8080", LOG_AGENT_PORT_8080_TCP_ADDR: "10.96.0.20",
    LOG_AGENT_PORT_514_UDP: "udp://10.96.0.20:514", LOG_AGENT_PORT_514_UDP_PROTO: "udp", LOG_AGENT_PORT_514_UDP_PORT: "514", LOG_AGENT_PORT_514_UDP_ADDR: "10.96.0.20",
    KUBERNETES_SERVICE_HOST: "192.0.2.1", KUBERNETES_SERVICE_PORT: "6443", KUBERNETES_SERVICE_PORT_HTTPS: "6443", KUBERNETES_PORT: "tcp://192.0.2.1:6443",
    KUBERNETES_PORT_6443_TCP: "tcp://192.0.2.1:6443", KUBERNETES_PORT_6443_TCP_PROTO: "tcp", KUBERNETES_PORT_6443_TCP_PORT: "6443", KUBERNETES_PORT_6443_TCP_ADDR: "192.0.2.1",
  });
  const noLinks = podServiceEnv({ ...pod, spec: { containers: [], enableServiceLinks: false } }, services, { host: "::1", port: 443 });
  assert.deepEqual(Object.keys(noLinks).filter((k) => !k.startsWith("KUBERNETES_")), []);
  assert.equal(noLinks.KUBERNETES_PORT, "tcp://[::1]:443");
});
