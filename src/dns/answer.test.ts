import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { answerQuestion, rcode, type ClusterView, type DnsService, type ReadyEndpoint } from "./answer.js";

const services: DnsService[] = [
  { name: "web", namespace: "default", clusterIPs: ["10.96.0.10"], headless: false, ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "", port: 81, protocol: "TCP" }] },
  { name: "agent", namespace: "kube-system", clusterIPs: [], headless: true, ports: [{ name: "http", port: 2020, protocol: "TCP" }] },
  { name: "idle", namespace: "kube-system", clusterIPs: [], headless: true, ports: [] },
  { name: "ext", namespace: "default", clusterIPs: [], headless: false, externalName: "example.com", ports: [] },
];
const endpoints: Record<string, ReadyEndpoint[]> = {
  "kube-system/agent": [{ ip: "10.64.0.2" }, { ip: "10.64.1.2", hostname: "node-b" }],
  "default/web": [{ ip: "10.64.0.9" }],
};
const view = (synced = true): ClusterView => ({
  synced: () => synced,
  namespaceExists: (ns) => ns === "default" || ns === "kube-system",
  service: (ns, name) => services.find((s) => s.namespace === ns && s.name === name),
  readyEndpoints: (ns, name) => endpoints[`${ns}/${name}`] ?? [],
  byIP: (ip) => {
    const svc = services.find((s) => s.clusterIPs.includes(ip));
    if (svc) return { service: svc };
    const agent = services[1]!;
    const endpoint = endpoints["kube-system/agent"]!.find((e) => e.ip === ip);
    return endpoint ? { service: agent, endpoint } : undefined;
  },
});
const opts = { zone: "cluster.local", ttl: 5 };
const ask = (name: string, type = "A", synced = true) => answerQuestion(view(synced), name, type, opts);
const data = (name: string, type = "A"): unknown[] => ask(name, type).answers.map((a) => ("data" in a ? a.data : undefined));

describe("answerQuestion", () => {
  test("A: the ClusterIP of a Service, one record per ready endpoint of a headless one, TTL 5", () => {
    assert.deepEqual(data("web.default.svc.cluster.local"), ["10.96.0.10"]);
    assert.deepEqual(data("Agent.Kube-System.svc.cluster.local."), ["10.64.0.2", "10.64.1.2"]);
    const first = ask("web.default.svc.cluster.local").answers[0];
    assert.equal(first && "ttl" in first ? first.ttl : undefined, 5);
  });

  test("endpoint names: hostname or dashed IP", () => {
    assert.deepEqual(data("node-b.agent.kube-system.svc.cluster.local"), ["10.64.1.2"]);
    assert.deepEqual(data("10-64-0-2.agent.kube-system.svc.cluster.local"), ["10.64.0.2"]);
    assert.equal(ask("10-64-9-9.agent.kube-system.svc.cluster.local").rcode, rcode.NXDOMAIN);
  });

  test("SRV of a named port: targets, weight, A records in the additional section; unknown port NXDOMAIN", () => {
    const srv = ask("_http._tcp.agent.kube-system.svc.cluster.local", "SRV");
    assert.deepEqual(srv.answers.map((a) => ("data" in a ? a.data : undefined)), [
      { priority: 0, weight: 50, port: 2020, target: "10-64-0-2.agent.kube-system.svc.cluster.local" },
      { priority: 0, weight: 50, port: 2020, target: "node-b.agent.kube-system.svc.cluster.local" },
    ]);
    assert.deepEqual(srv.additionals.map((a) => [a.name, "data" in a ? a.data : undefined]), [["10-64-0-2.agent.kube-system.svc.cluster.local", "10.64.0.2"], ["node-b.agent.kube-system.svc.cluster.local", "10.64.1.2"]]);
    assert.deepEqual(data("_http._tcp.web.default.svc.cluster.local", "SRV"), [{ priority: 0, weight: 100, port: 80, target: "web.default.svc.cluster.local" }]);
    assert.equal(ask("_metrics._tcp.web.default.svc.cluster.local", "SRV").rcode, rcode.NXDOMAIN);
    assert.equal(ask("_http._udp.web.default.svc.cluster.local", "SRV").rcode, rcode.NXDOMAIN);
  });

  test("NXDOMAIN vs NOERROR without answers, as CoreDNS", () => {
    for (const name of ["nope.default.svc.cluster.local", "web.nons.svc.cluster.local", "nons.svc.cluster.local", "idle.kube-system.svc.cluster.local", "a.b.c.web.default.svc.cluster.local", "x.default.pod.cluster.local", "web.default.cluster.local"]) {
      const r = ask(name);
      assert.equal(r.rcode, rcode.NXDOMAIN, name);
      assert.equal(r.authorities[0]?.type, "SOA", name);
    }
    for (const [name, type] of [["web.default.svc.cluster.local", "AAAA"], ["default.svc.cluster.local", "A"], ["cluster.local", "A"], ["web.default.svc.cluster.local", "TXT"]] as const) {
      const r = ask(name, type);
      assert.deepEqual([r.rcode, r.answers.length, r.authorities[0]?.type], [rcode.NOERROR, 0, "SOA"], `${name} ${type}`);
    }
    assert.equal(ask("example.org").rcode, rcode.REFUSED);
    assert.equal(ask("web.default.svc.cluster.local", "A", false).rcode, rcode.SERVFAIL);
  });

  test("ExternalName is a CNAME; PTR of a ClusterIP and of an endpoint; dns-version", () => {
    assert.deepEqual(ask("ext.default.svc.cluster.local").answers.map((a) => [a.type, "data" in a ? a.data : undefined]), [["CNAME", "example.com"]]);
    assert.deepEqual(data("10.0.96.10.in-addr.arpa", "PTR"), ["web.default.svc.cluster.local"]);
    assert.deepEqual(data("2.1.64.10.in-addr.arpa", "PTR"), ["node-b.agent.kube-system.svc.cluster.local"]);
    assert.equal(ask("9.9.9.9.in-addr.arpa", "PTR").rcode, rcode.NXDOMAIN);
    assert.deepEqual(data("dns-version.cluster.local", "TXT"), ["1.1.0"]);
    assert.deepEqual(answerQuestion(view(), "web.default.svc.corp.example", "A", { zone: "corp.example", ttl: 5 }).answers.map((a) => "data" in a && a.data), ["10.96.0.10"]);
  });
});
