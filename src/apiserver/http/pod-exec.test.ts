import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { after, before, describe, test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { mustFindResource } from "../../api/resources.js";
import { decodeFrame, encodeClose, encodeFrame, successStatus, type RemoteCommandStatus } from "../../api/remote-command.js";
import type { Node, Pod } from "../../api/types.js";
import { deniedError, type RequestAttributes } from "./authz-attributes.js";
import { agentCertAnnotation } from "./node-agent-target.js";
import { startTestApi, type TestApi } from "./testing/api-fixture.js";
import { selfSigned } from "./testing/self-signed.js";
import { stubClient } from "./testing/stub-client.js";

const pods = mustFindResource("", "pods");
const nodes = mustFindResource("", "nodes");

interface Outcome { stdout: string; status: RemoteCommandStatus | undefined; closeCode: number }

function pod(name: string, nodeName: string, containers: string[], inits: string[] = []): Pod {
  return {
    apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" },
    spec: { nodeName, containers: containers.map((c) => ({ name: c, image: "busybox" })), initContainers: inits.map((c) => ({ name: c, image: "busybox" })) },
  };
}

describe("pods/exec through the API server", () => {
  let api: TestApi;
  let agent: Server;
  let fingerprint = "";
  const agentSaw: string[] = [];
  const seen: RequestAttributes[] = [];
  let denyAll = false;

  before(async () => {
    const serving = await selfSigned("real-1@agent");
    const client = await selfSigned("apiserver-agent-client");
    fingerprint = new X509Certificate(serving.cert).fingerprint256;
    // The agent's side: refuses command "refuse" as the kubelet refuses a stopped container; otherwise greets,
    // echoes stdin and ends with Success at stdin's half-close.
    const wss = new WebSocketServer({ noServer: true });
    agent = createServer({ ...serving });
    agent.on("upgrade", (req, socket, head) => {
      agentSaw.push(req.url ?? "");
      if (new URL(req.url ?? "/", "https://x").searchParams.get("command") === "refuse") {
        socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 26\r\n\r\ncontainer not found ("c")\n');
        return;
      }
      if (req.headers.upgrade === "SPDY/3.1") {
        // SPDY is negotiated by the agent and then carried as bytes: answer the first version offered, echo bytes.
        agentSaw.push(`${req.method ?? ""} ${String(req.headers["x-stream-protocol-version"])}`);
        const chosen = String(req.headers["x-stream-protocol-version"]).split(",")[0] ?? "";
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`);
        socket.pipe(socket);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(encodeFrame(1, "hello\n"));
        ws.on("message", (d: Buffer) => {
          const m = decodeFrame(d);
          if (m?.kind === "data" && m.channel === 0) ws.send(encodeFrame(1, m.data));
          if (m?.kind === "close" && m.channel === 0) {
            ws.send(encodeFrame(3, JSON.stringify(successStatus())));
            ws.close(1000);
          }
        });
      });
    });
    await new Promise<void>((ok) => agent.listen(0, "127.0.0.1", ok));
    // The connector reads through the registry the fixture creates.
    const reads = stubClient({ get: (resource, namespace, name) => api.registry.get(resource, namespace, name) });
    api = await startTestApi({
      handler: {
        nodeConnector: { client: reads, ...client },
        authorize: async (attrs, c) => {
          seen.push(attrs);
          if (denyAll) throw deniedError(attrs, "");
          return c;
        },
      },
    });
    const port = (agent.address() as AddressInfo).port;
    const { registry } = api;
    await registry.create<Node>(nodes, undefined, {
      apiVersion: "v1", kind: "Node", metadata: { name: "real-1", annotations: { [agentCertAnnotation]: fingerprint } },
      status: { addresses: [{ type: "InternalIP", address: "127.0.0.1" }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
    });
    await registry.create<Node>(nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "sim-1", annotations: { "everynode.dev/simulated": "true" } } });
    for (const p of [pod("p", "real-1", ["c"]), pod("two", "real-1", ["a", "b"], ["i"]), pod("sp", "sim-1", ["c"])]) await registry.create(pods, "default", p);
  });
  after(async () => {
    await api.close();
    await new Promise<void>((ok) => agent.close(() => ok()));
  });

  const wsUrl = (path: string): string => `${api.url.replace("http:", "ws:")}${path}`;
  const refused = (path: string): Promise<{ code: number; body: Record<string, unknown> }> => new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(path), ["v5.channel.k8s.io"]);
    ws.once("open", () => { ws.terminate(); reject(new Error("upgraded")); });
    ws.once("error", () => undefined);
    ws.once("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (d: Buffer) => { text += d.toString(); });
      res.once("end", () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
  });
  const streamed = (ws: WebSocket): Promise<Outcome> => new Promise((resolve) => {
    const out: Outcome = { stdout: "", status: undefined, closeCode: 0 };
    ws.on("message", (d: Buffer) => {
      const m = decodeFrame(d);
      if (m?.kind === "data" && m.channel === 1) out.stdout += m.data.toString();
      if (m?.kind === "data" && m.channel === 3) out.status = JSON.parse(m.data.toString()) as RemoteCommandStatus;
    });
    ws.once("close", (code) => { out.closeCode = code; resolve(out); });
  });

  const spdyUpgrade = (path: string, upgrade = "SPDY/3.1"): Promise<{ code: number; headers: IncomingHttpHeaders; body: string; socket?: Duplex }> => new Promise((resolve, reject) => {
    const headers = { Connection: "Upgrade", Upgrade: upgrade, "X-Stream-Protocol-Version": ["v4.channel.k8s.io", "v3.channel.k8s.io"] };
    const req = httpRequest(`${api.url}${path}`, { method: "POST", headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => { body += d.toString(); });
      res.once("end", () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once("upgrade", (res, socket) => resolve({ code: res.statusCode ?? 0, headers: res.headers, body: "", socket }));
    req.once("error", reject);
    req.end();
  });

  test("without an upgrade: 400 Upgrade request required; an upgrade to another protocol is refused with the reason", async () => {
    const plain = await api.call("GET", "/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true");
    assert.equal(plain.status, 400);
    assert.equal(((await plain.json()) as { message: string }).message, "Upgrade request required");
    const other = await spdyUpgrade("/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true", "h2c");
    assert.equal(other.code, 400);
    assert.match(other.body, /unable to upgrade: h2c is not served; this API server streams commands over WebSockets \(v5.channel.k8s.io, v4.channel.k8s.io\) and SPDY\/3.1/);
  });

  test("a SPDY upgrade goes on to the agent, which negotiates the version; then bytes pass both ways", async () => {
    agentSaw.length = 0;
    const r = await spdyUpgrade("/api/v1/namespaces/default/pods/p/exec?command=cat&stdin=true&stdout=true&tty=true");
    assert.equal(r.code, 101);
    assert.equal(r.headers["x-stream-protocol-version"], "v4.channel.k8s.io");
    assert.deepEqual(agentSaw, ["/exec/default/p/c?command=cat&input=1&output=1&error=0&tty=1", "POST v4.channel.k8s.io, v3.channel.k8s.io"]);
    const attrs = seen.at(-1);
    assert.deepEqual([attrs?.verb, attrs?.subresource], ["create", "exec"]);
    const socket = r.socket;
    assert.ok(socket);
    const echoed = new Promise<string>((ok) => socket.once("data", (d: Buffer) => ok(d.toString())));
    socket.write("frames");
    assert.equal(await echoed, "frames");
    socket.destroy();
    const refusedByAgent = await spdyUpgrade("/api/v1/namespaces/default/pods/p/exec?command=refuse&stdout=true");
    assert.equal(refusedByAgent.code, 500);
    assert.deepEqual(JSON.parse(refusedByAgent.body), {
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code: 500, reason: "InternalError",
      message: 'unable to upgrade connection: container not found ("c")',
    });
    const simulated = await spdyUpgrade("/api/v1/namespaces/default/pods/sp/attach?stdout=true");
    assert.equal(simulated.code, 400);
    assert.match(simulated.body, /pod sp runs on the simulated node \\"sim-1\\", which has no processes to attach to/);
  });

  test("refused before the handshake as upstream: missing pod, unnamed container, simulated node, no command", async () => {
    agentSaw.length = 0;
    const missing = await refused("/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true");
    assert.deepEqual([missing.code, missing.body.reason, missing.body.message], [404, "NotFound", 'pods "nope" not found']);
    const unnamed = await refused("/api/v1/namespaces/default/pods/two/exec?command=ls&stdout=true");
    assert.deepEqual([unnamed.code, unnamed.body.message], [400, "a container name must be specified for pod two, choose one of: [i a b]"]);
    const wrong = await refused("/api/v1/namespaces/default/pods/two/exec?command=ls&stdout=true&container=z");
    assert.equal(wrong.body.message, "container z is not valid for pod two");
    const simulated = await refused("/api/v1/namespaces/default/pods/sp/exec?command=ls&stdout=true");
    assert.equal(simulated.code, 400);
    assert.match(String(simulated.body.message), /^pod sp runs on the simulated node "sim-1", which has no processes to exec into/);
    const noCommand = await refused("/api/v1/namespaces/default/pods/p/exec?stdout=true");
    assert.equal(noCommand.body.message, "you must specify at least one command for the container");
    assert.deepEqual(agentSaw, [], "the agent is not asked");
  });

  test("streams relay both ways to the agent's /exec, stdin's half-close included", async () => {
    agentSaw.length = 0;
    const ws = new WebSocket(wsUrl("/api/v1/namespaces/default/pods/p/exec?command=cat&command=-u&stdin=true&stdout=true&stderr=true"), ["v5.channel.k8s.io", "v4.channel.k8s.io"]);
    const result = streamed(ws);
    await new Promise<void>((ok) => ws.once("open", () => ok()));
    assert.equal(ws.protocol, "v5.channel.k8s.io");
    ws.send(encodeFrame(0, "abc"));
    ws.send(encodeClose(0));
    const r = await result;
    assert.deepEqual(r, { stdout: "hello\nabc", status: { metadata: {}, status: "Success" }, closeCode: 1000 });
    assert.deepEqual(agentSaw, ["/exec/default/p/c?command=cat&command=-u&input=1&output=1&error=1&tty=0"]);
    const attrs = seen.at(-1);
    assert.deepEqual([attrs?.verb, attrs?.resource.resource, attrs?.subresource, attrs?.name], ["get", "pods", "exec", "p"]);
  });

  test("the agent's refusal and a certificate other than the published one end in an InternalError Status", async () => {
    const refusedByAgent = await streamed(new WebSocket(wsUrl("/api/v1/namespaces/default/pods/p/exec?command=refuse&stdout=true"), ["v5.channel.k8s.io"]));
    assert.equal(refusedByAgent.status?.message, 'Internal error occurred: unable to upgrade connection: container not found ("c")');
    await api.registry.patch(nodes, undefined, "real-1", "merge", { metadata: { annotations: { [agentCertAnnotation]: "00:11" } } });
    try {
      const pinned = await streamed(new WebSocket(wsUrl("/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true"), ["v5.channel.k8s.io"]));
      assert.match(pinned.status?.message ?? "", /^Internal error occurred: error dialing backend: x509: the certificate of node "real-1" at 127\.0\.0\.1:\d+ is not the one its agent published$/);
      assert.equal(pinned.closeCode, 1000);
    } finally {
      await api.registry.patch(nodes, undefined, "real-1", "merge", { metadata: { annotations: { [agentCertAnnotation]: fingerprint } } });
    }
  });

  test("authorization applies to the upgrade: a denial is the 403 of the handshake", async () => {
    denyAll = true;
    try {
      const denied = await refused("/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true");
      assert.equal(denied.code, 403);
      assert.match(String(denied.body.message), /cannot get resource "pods\/exec" in API group "" in the namespace "default"/);
    } finally {
      denyAll = false;
    }
  });
});
