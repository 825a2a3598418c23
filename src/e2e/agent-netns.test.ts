import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { kubectlStream, startTestCluster, until, type TestCluster } from "./harness.js";
import { startAgent, stopAgents, type TestAgent } from "./agent-harness.js";

const run = promisify(execFile);
const ip = (...args: string[]): Promise<unknown> => run("ip", args);

/**
 * A bridge on the host with an address of a /24 nobody uses here, and one network namespace per agent joined to it
 * by a veth pair: each agent has its own address and its own ports, as separate machines would.
 */
class NamespaceNetwork {
  readonly bridge: string;
  readonly namespaces: string[] = [];
  readonly subnet: string;

  constructor(readonly tag: string, third: number) {
    this.bridge = `enbr${tag}`;
    this.subnet = `10.231.${third}`;
  }

  get hostAddress(): string { return `${this.subnet}.1`; }

  address(i: number): string { return `${this.subnet}.${10 + i}`; }

  async up(count: number): Promise<void> {
    await ip("link", "add", this.bridge, "type", "bridge");
    await ip("addr", "add", `${this.hostAddress}/24`, "dev", this.bridge);
    await ip("link", "set", this.bridge, "up");
    for (let i = 0; i < count; i++) {
      const ns = `en${this.tag}n${i}`;
      await ip("netns", "add", ns);
      this.namespaces.push(ns);
      await ip("link", "add", `en${this.tag}h${i}`, "type", "veth", "peer", "name", "eth0", "netns", ns);
      await ip("link", "set", `en${this.tag}h${i}`, "master", this.bridge, "up");
      await ip("-n", ns, "addr", "add", `${this.address(i)}/24`, "dev", "eth0");
      await ip("-n", ns, "link", "set", "eth0", "up");
      await ip("-n", ns, "link", "set", "lo", "up");
    }
  }

  /** Removes the namespaces (their veth pairs go with them) and the bridge. */
  async down(): Promise<void> {
    for (const ns of this.namespaces) await ip("netns", "del", ns).catch(() => undefined);
    await ip("link", "del", this.bridge).catch(() => undefined);
  }
}

/** A /24 under 10.231.0.0/16 that no interface of this machine is in. */
async function unusedThirdOctet(): Promise<number> {
  const { stdout } = await run("ip", ["-4", "-o", "addr"]);
  for (let third = 1 + (process.pid % 200); third < 255; third++) if (!stdout.includes(`10.231.${third}.`)) return third;
  throw new Error("no free 10.231.x.0/24 on this machine");
}

const hostPort = 18080;
const daemon = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: hello
spec:
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: hello
        image: node
        command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(`require("http").createServer((q,s)=>s.end("hello from "+process.env.NODE+"\\n")).listen(${hostPort})`)}]
        ports: [{containerPort: ${hostPort}, hostPort: ${hostPort}}]
        readinessProbe:
          httpGet: {path: /, port: ${hostPort}}
          periodSeconds: 1
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
`;

const rootWithIp = process.getuid?.() === 0;

describe("agents in their own network namespaces: a daemon's hostPort on every node's address", { skip: rootWithIp ? false : "needs root for ip netns" }, () => {
  let net: NamespaceNetwork | undefined;
  let cluster: TestCluster;
  const agents: TestAgent[] = [];
  const names = ["ns-a", "ns-b", "ns-c"];

  const addr = (i: number): string => net?.address(i) ?? "";
  before(async () => {
    net = new NamespaceNetwork(String(process.pid % 10000), await unusedThirdOctet());
    await net.up(names.length);
    cluster = await startTestCluster({ listen: net.hostAddress, nodeMonitorGracePeriodMs: 4000 });
    for (const [i, name] of names.entries()) {
      agents.push(await startAgent(cluster, name, { netns: net.namespaces[i], args: ["--listen", `${net.address(i)}:10250`, "--node-ip", net.address(i)] }));
    }
  });
  after(async () => {
    await stopAgents(agents);
    await cluster?.stop();
    await net?.down();
  });

  test("the three agents register with their namespace's address", async () => {
    for (const [i, name] of names.entries()) {
      await until(async () => (await cluster.kubectl(["get", "node", name, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"])).stdout === "True", `${name} Ready`, 60_000);
      assert.equal(await cluster.kubectlOk(["get", "node", name, "-o", "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}"]), addr(i));
    }
  });

  test("a DaemonSet with hostPort answers on every node's address", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], daemon);
    await until(async () => (await cluster.kubectlOk(["get", "ds", "hello", "-o", "jsonpath={.status.numberReady}"])) === "3", "hello ready on 3 nodes", 60_000);
    for (const [i, name] of names.entries()) {
      assert.equal(await (await fetch(`http://${addr(i)}:${hostPort}/`)).text(), `hello from ${name}\n`);
    }
    const pods = JSON.parse(await cluster.kubectlOk(["get", "pods", "-l", "app=hello", "-o", "json"])) as { items: { spec: { nodeName: string }; status: { hostIP: string; podIP: string } }[] };
    for (const p of pods.items) {
      const i = names.indexOf(p.spec.nodeName);
      assert.equal(p.status.hostIP, addr(i));
      assert.equal(p.status.podIP, addr(i));
    }
  });

  test("kubectl port-forward reaches the pod on ns-b through the API server and ns-b's agent", async () => {
    const pod = await cluster.kubectlOk(["get", "pods", "-l", "app=hello", "--field-selector", "spec.nodeName=ns-b", "-o", "jsonpath={.items[0].metadata.name}"]);
    const pf = kubectlStream(cluster, ["port-forward", `pod/${pod}`, `:${hostPort}`]);
    try {
      await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/, 20_000);
      const local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.output())?.[1]);
      assert.equal(await (await fetch(`http://127.0.0.1:${local}/`)).text(), "hello from ns-b\n");
    } finally {
      await pf.stop();
    }
  });

  test("a pod bound past the scheduler to a node whose hostPort is taken is rejected by the agent (NodePorts)", async () => {
    await cluster.kubectlOk(["create", "-f", "-"], `apiVersion: v1
kind: Pod
metadata:
  name: clash
spec:
  nodeName: ns-a
  containers:
  - name: c
    image: node
    command: ["sleep", "infinity"]
    ports: [{containerPort: ${hostPort}, hostPort: ${hostPort}}]
`);
    await until(async () => (await cluster.kubectlOk(["get", "pod", "clash", "-o", "jsonpath={.status.phase}"])) === "Failed", "clash Failed", 30_000);
    const status = JSON.parse(await cluster.kubectlOk(["get", "pod", "clash", "-o", "jsonpath={.status}"])) as { reason: string; message: string };
    assert.equal(status.reason, "NodePorts");
    assert.equal(status.message, "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    await until(async () => (await cluster.kubectlOk(["get", "events", "--field-selector", "involvedObject.name=clash", "-o", "jsonpath={.items[*].reason}"])).includes("NodePorts"), "NodePorts event");
    assert.equal(await (await fetch(`http://${addr(0)}:${hostPort}/`)).text(), "hello from ns-a\n", "the daemon keeps its port");
  });
});
