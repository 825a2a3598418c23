import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fixturePath } from "./fixtures.js";
import { startTestCluster, type TestCluster } from "./harness.js";

describe("kubectl drives DaemonSets", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c.stop(); });

  test("create -f the seed manifest, then get, -A, -o yaml/json, -l", async () => {
    assert.equal((await c.kubectlOk(["create", "-f", fixturePath("daemon-set-definition.yaml")])).trim(), "daemonset.apps/monitoring-daemon created");
    const table = await c.kubectlOk(["get", "daemonsets"]);
    const lines = table.trim().split("\n");
    assert.match(lines[0] ?? "", /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
    assert.match(lines[1] ?? "", /^monitoring-daemon\s+0\s+0\s+0\s+0\s+0\s+<none>\s+\d+s$/);

    const all = await c.kubectlOk(["get", "ds", "-A"]);
    assert.match(all, /^NAMESPACE\s+NAME\s+DESIRED/m);
    assert.match(all, /^default\s+monitoring-daemon\s+0/m);

    const obj = JSON.parse(await c.kubectlOk(["get", "ds", "monitoring-daemon", "-o", "json"])) as Record<string, any>;
    assert.equal(obj.kind, "DaemonSet");
    assert.equal(obj.apiVersion, "apps/v1");
    assert.equal(obj.metadata.generation, 1);
    assert.equal(obj.metadata.annotations["deprecated.daemonset.template.generation"], "1");
    assert.deepEqual(obj.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(obj.spec.revisionHistoryLimit, 10);
    assert.equal(obj.spec.template.spec.containers[0].imagePullPolicy, "Always");
    assert.equal(obj.spec.template.spec.restartPolicy, "Always");
    assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);

    const yaml = await c.kubectlOk(["get", "ds", "monitoring-daemon", "-o", "yaml"]);
    assert.match(yaml, /^kind: DaemonSet$/m);
    assert.match(yaml, /name: monitoring-daemon/);

    assert.match(await c.kubectlOk(["get", "ds", "-l", "app!=nothing"]), /monitoring-daemon/);
    const none = await c.kubectl(["get", "ds", "-l", "app=nothing"]);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, "");
    assert.match(none.stderr, /No resources found in default namespace\./);
    assert.match(await c.kubectlOk(["get", "ds", "--field-selector", "metadata.name=monitoring-daemon", "-o", "name"]), /^daemonset.apps\/monitoring-daemon$/m);
    const wide = await c.kubectlOk(["get", "ds", "-o", "wide"]);
    assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /monitoring-agent\s+monitoring-agent\s+app=monitoring-agent/);
  });

  test("apply: first time creates, unchanged, then configured", async () => {
    assert.equal((await c.kubectlOk(["apply", "-f", fixturePath("nginx-daemonset.yaml")])).trim(), "daemonset.apps/nginx-daemonset created");
    assert.equal((await c.kubectlOk(["apply", "-f", fixturePath("nginx-daemonset.yaml")])).trim(), "daemonset.apps/nginx-daemonset unchanged");
    const changed = (await import("node:fs")).readFileSync(fixturePath("nginx-daemonset.yaml"), "utf8").replace("nginx:latest", "nginx:1.26");
    assert.equal((await c.kubectlOk(["apply", "-f", "-"], changed)).trim(), "daemonset.apps/nginx-daemonset configured");
    const obj = JSON.parse(await c.kubectlOk(["get", "ds", "nginx-daemonset", "-o", "json"])) as Record<string, any>;
    assert.equal(obj.spec.template.spec.containers[0].image, "nginx:1.26");
    assert.equal(obj.spec.template.spec.containers[0].ports[0].containerPort, 80);
    assert.equal(obj.metadata.generation, 2);
    assert.equal(obj.metadata.annotations["deprecated.daemonset.template.generation"], "2");
    assert.ok(obj.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
  });

  test("seed manifests in other namespaces: kube-system and a created namespace", async () => {
    assert.match(await c.kubectlOk(["create", "-f", fixturePath("fluentd-kube-system.yaml")]), /daemonset.apps\/fluentd created/);
    const missing = await c.kubectl(["create", "-f", fixturePath("node-exporter.yaml")]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /namespaces "monitoring" not found/);
    assert.equal((await c.kubectlOk(["create", "namespace", "monitoring"])).trim(), "namespace/monitoring created");
    assert.match(await c.kubectlOk(["create", "-f", fixturePath("node-exporter.yaml")]), /daemonset.apps\/node-exporter created/);
    assert.match(await c.kubectlOk(["get", "ds", "-n", "monitoring"]), /node-exporter/);
    assert.match(await c.kubectlOk(["describe", "ds", "fluentd", "-n", "kube-system"]), /Name:\s+fluentd/);
  });

  test("describe ds", async () => {
    const out = await c.kubectlOk(["describe", "daemonset", "monitoring-daemon"]);
    for (const re of [/^Name:\s+monitoring-daemon$/m, /^Selector:\s+app=monitoring-agent$/m, /^Node-Selector:\s+<none>$/m,
      /^Desired Number of Nodes Scheduled: 0$/m, /^Current Number of Nodes Scheduled: 0$/m,
      /^Number of Nodes Scheduled with Up-to-date Pods: 0$/m, /^Number of Nodes Scheduled with Available Pods: 0$/m,
      /^Number of Nodes Misscheduled: 0$/m, /^Pods Status:\s+0 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m,
      /^Pod Template:$/m, /Image:\s+monitoring-agent/, /^Events:\s+<none>$/m]) {
      assert.match(out, re);
    }
  });

  test("the deployment-to-daemonset recipe from the seeds", async () => {
    const gen = await c.kubectlOk(["create", "deployment", "elasticsearch", "--image=registry.k8s.io/fluentd-elasticsearch:1.20", "-n", "kube-system", "--dry-run=client", "-o", "yaml"]);
    const edited = gen
      .replace("kind: Deployment", "kind: DaemonSet")
      .replace(/^ {2}replicas: \d+\n/m, "")
      .replace(/^ {2}strategy: \{\}\n/m, "")
      .replace(/^status: \{\}\n?/m, "");
    assert.doesNotMatch(edited, /replicas|strategy|status/);
    assert.match(await c.kubectlOk(["create", "-f", "-"], edited), /daemonset.apps\/elasticsearch created/);
  });

  test("delete ds (background) removes it and kubectl waits until gone", async () => {
    await c.kubectlOk(["create", "-f", fixturePath("demo.yaml")]);
    assert.equal((await c.kubectlOk(["delete", "ds", "demo"])).trim(), 'daemonset.apps "demo" deleted');
    const gone = await c.kubectl(["get", "ds", "demo"]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): daemonsets.apps "demo" not found');
  });

  test("delete in every cascade mode", async () => {
    for (const [flag, mode] of [["--cascade=background", "background"], ["--cascade=foreground", "foreground"], ["--cascade=orphan", "orphan"], ["--cascade=false", "orphan (legacy flag)"]] as const) {
      await c.kubectlOk(["create", "-f", fixturePath("demo.yaml")]);
      const r = await c.kubectl(["delete", "ds", "demo", flag]);
      assert.equal(r.code, 0, `${mode}: ${r.stderr}`);
      assert.equal(r.stdout.trim(), 'daemonset.apps "demo" deleted');
      assert.equal((await c.kubectl(["get", "ds", "demo"])).code, 1, `${mode}: still present`);
    }
  });

  test("server-side apply creates, then merges", async () => {
    const out = await c.kubectlOk(["apply", "--server-side", "-f", fixturePath("demo.yaml")]);
    assert.equal(out.trim(), "daemonset.apps/demo serverside-applied");
    const again = await c.kubectlOk(["apply", "--server-side", "-f", "-"], (await import("node:fs")).readFileSync(fixturePath("demo.yaml"), "utf8").replace("image: busybox", "image: busybox:1.36"));
    assert.equal(again.trim(), "daemonset.apps/demo serverside-applied");
    const obj = JSON.parse(await c.kubectlOk(["get", "ds", "demo", "-o", "json"])) as Record<string, any>;
    assert.equal(obj.spec.template.spec.containers[0].image, "busybox:1.36");
    assert.deepEqual(obj.spec.template.spec.containers[0].command, ["sleep", "infinity"]);
    await c.kubectlOk(["delete", "ds", "demo"]);
  });
});
