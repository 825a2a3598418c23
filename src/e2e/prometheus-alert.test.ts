import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { parse } from "yaml";
import { startTestCluster, until } from "./harness.js";

const rulesFile = fileURLToPath(new URL("../../prometheus/daemonset-alerts.yaml", import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

interface AlertsResponse { data: { alerts: { labels: Record<string, string>; state: string }[] } }

const daemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "agent:1"}]}
`;

test("Debian's prometheus scraping a running control plane fires KubeDaemonSetRolloutStuck for a never-ready image and clears it after rollout undo", { timeout: 240_000 }, async () => {
  const cluster = await startTestCluster({ nodes: 3 });
  const port = await freePort();
  const token = (parse(await readFile(cluster.plane.kubeconfigPath, "utf8")) as { users: { user: { token: string } }[] }).users[0]?.user.token ?? "";
  // The shipped rules with windows scaled down from minutes to seconds.
  const rules = (await readFile(rulesFile, "utf8")).replace("[5m]", "[8s]").replace(/for: \d+m/g, "for: 3s");
  await writeFile(join(cluster.home, "rules.yaml"), rules);
  await writeFile(join(cluster.home, "token"), token);
  const target = new URL(cluster.plane.url);
  await writeFile(join(cluster.home, "prometheus.yml"), `global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [rules.yaml]
scrape_configs:
  - job_name: kube-state-metrics
    scheme: https
    authorization: {credentials_file: token}
    tls_config: {ca_file: ${join(cluster.dataDir, "pki", "ca.crt")}}
    static_configs: [{targets: ["${target.host}"]}]
`);
  const prometheus = spawn("/usr/bin/prometheus", [
    `--config.file=${join(cluster.home, "prometheus.yml")}`, `--storage.tsdb.path=${join(cluster.home, "tsdb")}`,
    `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  prometheus.stderr.on("data", (d: Buffer) => { log += d.toString(); });
  const exited = new Promise<void>((ok) => prometheus.once("exit", () => ok()));
  const api = `http://127.0.0.1:${port}/api/v1`;
  const stuck = async (): Promise<string | undefined> => {
    const res = await fetch(`${api}/alerts`).catch(() => undefined);
    if (!res?.ok) return undefined;
    const body = (await res.json()) as AlertsResponse;
    return body.data.alerts.find((a) => a.labels.alertname === "KubeDaemonSetRolloutStuck" && a.labels.daemonset === "agent")?.state;
  };
  try {
    await until(async () => {
      const res = await fetch(`${api}/query?query=${encodeURIComponent('up{job="kube-state-metrics"}')}`).catch(() => undefined);
      const body = res?.ok ? (await res.json()) as { data: { result: { value: [number, string] }[] } } : undefined;
      return body?.data.result[0]?.value[1] === "1";
    }, `prometheus scraping /metrics (log: ${log})`, 60_000);

    await cluster.kubectlOk(["apply", "-f", "-"], daemonSet);
    await cluster.kubectlOk(["rollout", "status", "ds/agent", "--timeout=60s"]);
    // The alert may pend while the first rollout is under way; once Prometheus has scraped the finished rollout and
    // evaluated the rules on it (a few 1 s intervals), it must be gone.
    const scraped = async (): Promise<boolean> => {
      const q = 'kube_daemonset_status_number_available{daemonset="agent"}';
      const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`).catch(() => undefined);
      const body = res?.ok ? (await res.json()) as { data: { result: { value: [number, string] }[] } } : undefined;
      return body?.data.result[0]?.value[1] === "3";
    };
    await until(scraped, "prometheus scraping the finished rollout", 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(await stuck(), undefined, "a rolled-out DaemonSet raises no alert");
    await cluster.kubectlOk(["set", "image", "ds/agent", "agent=everynode.dev/not-ready"]);
    await until(async () => (await stuck()) === "firing", "KubeDaemonSetRolloutStuck firing", 90_000);
    const status = await cluster.kubectlOk(["get", "ds", "agent", "-o", "jsonpath={.status.updatedNumberScheduled}/{.status.numberAvailable}/{.status.desiredNumberScheduled}"]);
    assert.equal(status, "1/2/3", "one pod on the new image, never ready; the rollout cannot go on");

    await cluster.kubectlOk(["rollout", "undo", "ds/agent"]);
    await cluster.kubectlOk(["rollout", "status", "ds/agent", "--timeout=60s"]);
    await until(async () => (await stuck()) === undefined, "KubeDaemonSetRolloutStuck cleared", 60_000);
  } finally {
    prometheus.kill("SIGTERM");
    await exited;
    await cluster.stop();
  }
});
