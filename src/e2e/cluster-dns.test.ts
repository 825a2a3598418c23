import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubectlWith, spawnEverynode, type EverynodeProcess } from "./cli.js";
import { fixturePath } from "./fixtures.js";
import { until } from "./harness.js";

/** A loopback TCP port free at the time of asking (DNS binds UDP and TCP on it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function dig(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("/usr/bin/dig", [`@127.0.0.1`, "-p", String(port), "+time=2", "+tries=2", ...args], { timeout: 20_000 }, (err, stdout) => {
      if (err) reject(new Error(`dig ${args.join(" ")}: ${err.message}\n${String(stdout)}`));
      else resolve(String(stdout));
    });
  });
}

describe("everynode up --dns-port: cluster DNS answers dig from the caches", () => {
  let dir: string;
  let up: EverynodeProcess;
  let port: number;
  const kubectl = async (args: string[]): Promise<string> => {
    const r = await kubectlWith(join(dir, "data", "kubeconfig"), dir, args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "everynode-dns-"));
    port = await freePort();
    up = spawnEverynode(["up", "--port", "0", "--nodes", "3", "--store", "memory", "--data-dir", join(dir, "data"), "--dns-port", String(port)]);
    await up.waitFor(new RegExp(`cluster DNS \\(cluster\\.local\\) listening on 127\\.0\\.0\\.1:${port}`), 60_000);
    await up.waitFor(/cluster ready/, 60_000);
  });
  after(async () => {
    await up.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("one A record per node for the logging agent's headless Service, SRV for its named port", async () => {
    await kubectl(["apply", "-f", fixturePath("logging-agent.yaml")]);
    const podIPs = async (): Promise<string[]> => (await kubectl(["get", "pods", "-n", "kube-system", "-l", "app.kubernetes.io/name=log-agent", "-o", "jsonpath={.items[*].status.podIP}"])).split(/\s+/).filter(Boolean).sort();
    await until(async () => (await podIPs()).length === 3, "three daemon pods with IPs", 60_000);
    const ips = await podIPs();
    const name = "log-agent.kube-system.svc.cluster.local";
    await until(async () => JSON.stringify((await dig(port, ["+short", name])).split("\n").filter(Boolean).sort()) === JSON.stringify(ips), "one A record per node", 30_000);
    const full = await dig(port, [name]);
    assert.match(full, /status: NOERROR/);
    assert.match(full, /flags: qr aa rd;/);
    assert.match(full, new RegExp(`^${name.replaceAll(".", "\\.")}\\.\\s+5\\s+IN\\s+A\\s+${ips[0]?.replaceAll(".", "\\.")}$`, "m"));
    const tcp = (await dig(port, ["+tcp", "+short", name])).split("\n").filter(Boolean).sort();
    assert.deepEqual(tcp, ips);
    const srv = (await dig(port, ["+short", "SRV", `_http._tcp.${name}`])).split("\n").filter(Boolean).sort();
    assert.deepEqual(srv, ips.map((ip) => `0 33 2020 ${ip.replaceAll(".", "-")}.${name}.`).sort());
  });

  test("the ClusterIP of a normal Service, NXDOMAIN for an unknown name, PTR back to the Service", async () => {
    await kubectl(["create", "service", "clusterip", "web", "--tcp=80:8080"]);
    const clusterIP = await kubectl(["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"]);
    await until(async () => (await dig(port, ["+short", "web.default.svc.cluster.local"])).trim() === clusterIP, "ClusterIP answered");
    assert.equal((await dig(port, ["+short", "kubernetes.default.svc.cluster.local"])).trim(), "10.96.0.1");
    const unknown = await dig(port, ["nope.default.svc.cluster.local"]);
    assert.match(unknown, /status: NXDOMAIN/);
    assert.match(unknown, /AUTHORITY SECTION:\ncluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
    assert.match(await dig(port, ["AAAA", "web.default.svc.cluster.local"]), /status: NOERROR.*\n.*ANSWER: 0/);
    assert.equal((await dig(port, ["+short", "-x", clusterIP])).trim(), "web.default.svc.cluster.local.");
  });
});
