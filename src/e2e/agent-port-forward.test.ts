import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { kubectlStream, startTestCluster, until, type KubectlStream, type TestCluster } from "./harness.js";
import { loopbackAgentArgs, startAgent, stopAgents, type TestAgent } from "./agent-harness.js";

/** A free loopback port (the pods share the host's network on the process runtime). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

/** An HTTP daemon in one `node -e`: GET answers who it is, POST echoes the body back. */
function webDaemonSet(port: number): string {
  const script = `require("http").createServer((q,s)=>{if(q.method==="POST"){q.pipe(s);return;}s.end("hello from "+process.env.NODE+"\\n");}).listen(${port})`;
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: node
        command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(script)}]
        ports: [{containerPort: ${port}}]
        readinessProbe:
          tcpSocket: {port: ${port}}
          periodSeconds: 1
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
`;
}

const forwarding = /Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/;

async function localPort(pf: KubectlStream): Promise<number> {
  await pf.waitFor(forwarding, 20_000);
  return Number(forwarding.exec(pf.output())?.[1]);
}

describe("kubectl port-forward and nodes/proxy to a real agent", () => {
  let cluster: TestCluster;
  const agents: TestAgent[] = [];
  let port = 0;
  const running: KubectlStream[] = [];
  const forward = (args: string[], extraEnv: Record<string, string> = {}): KubectlStream => {
    const pf = kubectlStream(cluster, ["port-forward", ...args], extraEnv);
    running.push(pf);
    return pf;
  };

  before(async () => {
    cluster = await startTestCluster();
    // No --name: the node is named after the credential, as with the README's three commands.
    agents.push(await startAgent(cluster, "pf-a", { args: [...loopbackAgentArgs], nameFromCredential: true }));
    port = await freePort();
    await cluster.kubectlOk(["apply", "-f", "-"], webDaemonSet(port));
    await until(async () => (await cluster.kubectlOk(["get", "ds", "web", "-o", "jsonpath={.status.numberReady}"])) === "1", "web ready", 60_000);
  });
  after(async () => {
    for (const pf of running) await pf.stop();
    await stopAgents(agents);
    await cluster.stop();
  });

  const podName = async (): Promise<string> => cluster.kubectlOk(["get", "pods", "-l", "app=web", "--field-selector", "spec.nodeName=pf-a", "-o", "jsonpath={.items[0].metadata.name}"]);

  for (const [transport, extraEnv] of [["WebSocket", {}], ["SPDY", { KUBECTL_PORT_FORWARD_WEBSOCKETS: "false" }]] as const) {
    test(`pod/NAME over ${transport}: requests, concurrent connections and a 4 MiB echo go through`, async () => {
      const pf = forward([`pod/${await podName()}`, `:${port}`], extraEnv);
      const local = await localPort(pf);
      assert.equal(Number(forwarding.exec(pf.output())?.[2]), port);
      assert.equal(await (await fetch(`http://127.0.0.1:${local}/`)).text(), "hello from pf-a\n");
      const many = await Promise.all(Array.from({ length: 8 }, async () => (await fetch(`http://127.0.0.1:${local}/`, { headers: { connection: "close" } })).text()));
      assert.deepEqual(many, Array.from({ length: 8 }, () => "hello from pf-a\n"));
      const big = Buffer.alloc(4 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
      const echoed = Buffer.from(await (await fetch(`http://127.0.0.1:${local}/`, { method: "POST", body: big })).arrayBuffer());
      assert.equal(echoed.length, big.length);
      assert.ok(echoed.equals(big), "echoed bytes are the bytes sent");
      assert.match(pf.output(), /Handling connection for \d+/);
      await pf.stop();
    });
  }

  test("ds/NAME picks the daemon's pod", async () => {
    const pf = forward(["ds/web", `:${port}`]);
    const local = await localPort(pf);
    assert.equal(await (await fetch(`http://127.0.0.1:${local}/`)).text(), "hello from pf-a\n");
    await pf.stop();
  });

  test("a port nothing listens on: kubectl reports the agent's connection refused", async () => {
    const closed = await freePort();
    const pf = forward([`pod/${await podName()}`, `:${closed}`]);
    const local = await localPort(pf);
    await assert.rejects(fetch(`http://127.0.0.1:${local}/`));
    await until(() => /connection refused/.test(pf.errors()), "connection refused on kubectl's stderr", 10_000);
    assert.match(pf.errors(), new RegExp(`error forwarding port ${closed} to pod default/web-`));
    await pf.stop();
  });

  test("a pod on a simulated node and a missing pod get clear errors", async () => {
    await cluster.kubectlOk(["create", "-f", "-"], `apiVersion: v1
kind: Node
metadata:
  name: sim-1
  annotations: {everynode.dev/simulated: "true"}
`);
    await cluster.kubectlOk(["create", "-f", "-"], `apiVersion: v1
kind: Pod
metadata:
  name: sim-pod
spec:
  nodeName: sim-1
  containers: [{name: c, image: busybox}]
`);
    await until(async () => (await cluster.kubectlOk(["get", "pod", "sim-pod", "-o", "jsonpath={.status.phase}"])) === "Running", "sim-pod Running");
    const sim = await cluster.kubectl(["port-forward", "pod/sim-pod", "8080"]);
    assert.notEqual(sim.code, 0);
    assert.match(sim.stderr, /runs on simulated node "sim-1", which has no agent to forward ports to/);
    const missing = await cluster.kubectl(["port-forward", "pod/nope", "8080"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /pods "nope" not found/);
  });

  test("nodes/NAME/proxy reaches the agent; a simulated node answers 503", async () => {
    assert.equal(await cluster.kubectlOk(["get", "--raw", "/api/v1/nodes/pf-a/proxy/healthz"]), "ok");
    const pods = JSON.parse(await cluster.kubectlOk(["get", "--raw", "/api/v1/nodes/pf-a/proxy/pods"])) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(pods.kind, "PodList");
    assert.deepEqual(pods.items.map((p) => p.metadata.name), [await podName()]);
    const logs = await cluster.kubectlOk(["get", "--raw", `/api/v1/nodes/pf-a/proxy/containerLogs/default/${await podName()}/web?tailLines=1`]);
    assert.equal(logs, "");
    const unknown = await cluster.kubectl(["get", "--raw", "/api/v1/nodes/pf-a/proxy/nothing-here"]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /NotFound/);
    const sim = await cluster.kubectl(["get", "--raw", "/api/v1/nodes/sim-1/proxy/healthz"]);
    assert.notEqual(sim.code, 0);
    assert.match(sim.stderr, /ServiceUnavailable.*error trying to reach service: node "sim-1" is simulated/);
    const missing = await cluster.kubectl(["get", "--raw", "/api/v1/nodes/nope/proxy/healthz"]);
    assert.match(missing.stderr, /NotFound/);
  });

  test("RBAC: port-forward needs pods/portforward, nodes/proxy needs nodes/proxy", async () => {
    await cluster.kubectlOk(["create", "serviceaccount", "viewer"]);
    await cluster.kubectlOk(["create", "role", "pod-viewer", "--verb=get,list", "--resource=pods"]);
    await cluster.kubectlOk(["create", "rolebinding", "viewer", "--role=pod-viewer", "--serviceaccount=default:viewer"]);
    const token = (await cluster.kubectlOk(["create", "token", "viewer"])).trim();
    const denied = await cluster.kubectl(["--token", token, "port-forward", `pod/${await podName()}`, `:${port}`]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /cannot (create|get) resource "pods\/portforward" in API group "" in the namespace "default"/);
    const proxyDenied = await cluster.kubectl(["--token", token, "get", "--raw", "/api/v1/nodes/pf-a/proxy/healthz"]);
    assert.match(proxyDenied.stderr, /cannot get resource "nodes\/proxy" in API group "" at the cluster scope/);
    await cluster.kubectlOk(["create", "role", "forwarder", "--verb=get,create", "--resource=pods/portforward"]);
    await cluster.kubectlOk(["create", "rolebinding", "forwarder", "--role=forwarder", "--serviceaccount=default:viewer"]);
    await until(async () => (await cluster.kubectl(["--token", token, "auth", "can-i", "create", "pods", "--subresource=portforward"])).stdout.trim() === "yes", "RBAC allows it");
    const pf = forward(["--token", token, `pod/${await podName()}`, `:${port}`]);
    const local = await localPort(pf);
    assert.equal(await (await fetch(`http://127.0.0.1:${local}/`)).text(), "hello from pf-a\n");
    await pf.stop();
  });
});
