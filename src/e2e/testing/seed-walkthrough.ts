import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { fixturePath } from "../fixtures.js";
import { eventually, type TestCluster } from "../harness.js";

const nodeNames = ["node-1", "node-2", "node-3"];

/** What the walkthrough drives: kubectl against a cluster of three simulated nodes, and a scratch dir. */
export type SeedCluster = Pick<TestCluster, "home" | "kubectl" | "kubectlOk" | "stop">;

/**
 * Every command and manifest of the seed pages, on three simulated nodes (node-1..3), asserting what kubectl
 * prints: a suite titled `title` on the cluster `start` starts (and the suite stops).
 */
export function seedWalkthrough(title: string, start: () => Promise<SeedCluster>): void {
  describe(title, () => {
    let c: SeedCluster;
    before(async () => { c = await start(); });
    after(async () => { await c.stop(); });

    /** Pods in `ns` matching `selector`, as kubectl returns them. */
    const pods = async (selector: string, ns = "default"): Promise<any[]> =>
      (JSON.parse(await c.kubectlOk(["get", "pods", "-n", ns, "-l", selector, "-o", "json"])) as { items: any[] }).items;

    /** Waits until `get ds <name>` prints DESIRED CURRENT READY UP-TO-DATE AVAILABLE = `counts`; returns the row. */
    const waitForDaemonSet = (name: string, counts: string, ns = "default"): Promise<string> =>
      eventually(async () => {
        const row = (await c.kubectlOk(["get", "ds", name, "-n", ns, "--no-headers"])).trim();
        assert.match(row, new RegExp(`^${name}\\s+${counts.split(" ").join("\\s+")}\\s`));
        return row;
      });

    /** Asserts that the running, ready pods matching `selector` are exactly one per node; returns them. */
    const onePodPerNode = async (selector: string, ns = "default"): Promise<any[]> =>
      eventually(async () => {
        const items = await pods(selector, ns);
        assert.deepEqual(items.map((p) => p.spec.nodeName).sort(), nodeNames);
        for (const p of items) {
          assert.equal(p.status.phase, "Running");
          assert.equal(p.status.conditions.find((x: any) => x.type === "Ready")?.status, "True");
        }
        return items;
      });

    test("kubectl create -f daemon-set-definition.yaml runs one pod per node", async () => {
      const out = await c.kubectlOk(["create", "-f", fixturePath("daemon-set-definition.yaml")]);
      assert.equal(out.trim(), "daemonset.apps/monitoring-daemon created");
      const items = await onePodPerNode("app=monitoring-agent");
      for (const p of items) {
        assert.match(p.metadata.name, /^monitoring-daemon-[a-z0-9]{5}$/);
        assert.equal(p.metadata.ownerReferences[0].kind, "DaemonSet");
        assert.equal(p.metadata.ownerReferences[0].name, "monitoring-daemon");
        assert.equal(p.metadata.ownerReferences[0].controller, true);
        // Scheduled by the default scheduler through a matchFields node affinity term, as seed 002 describes.
        assert.deepEqual(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
          [{ matchFields: [{ key: "metadata.name", operator: "In", values: [p.spec.nodeName] }] }]);
      }
    });

    test("kubectl get daemonsets / get daemonsets -A", async () => {
      await waitForDaemonSet("monitoring-daemon", "3 3 3 3 3");
      const table = (await c.kubectlOk(["get", "daemonsets"])).trim().split("\n");
      assert.match(table[0] ?? "", /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
      assert.match(table[1] ?? "", /^monitoring-daemon\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\d+s$/);
      assert.equal(table.length, 2);
      const all = (await c.kubectlOk(["get", "daemonsets", "-A"])).trim().split("\n");
      assert.match(all[0] ?? "", /^NAMESPACE\s+NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
      assert.match(all[1] ?? "", /^default\s+monitoring-daemon\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\d+s$/);
    });

    test("kubectl describe daemonset monitoring-daemon", async () => {
      const names = (await pods("app=monitoring-agent")).map((p) => p.metadata.name as string);
      const out = await c.kubectlOk(["describe", "daemonset", "monitoring-daemon"]);
      for (const re of [/^Name:\s+monitoring-daemon$/m, /^Selector:\s+app=monitoring-agent$/m, /^Node-Selector:\s+<none>$/m,
        /^Desired Number of Nodes Scheduled: 3$/m, /^Current Number of Nodes Scheduled: 3$/m,
        /^Number of Nodes Scheduled with Up-to-date Pods: 3$/m, /^Number of Nodes Scheduled with Available Pods: 3$/m,
        /^Number of Nodes Misscheduled: 0$/m, /^Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m,
        /^ {4}Image:\s+monitoring-agent$/m]) {
        assert.match(out, re);
      }
      const created = [...out.matchAll(/^\s+Normal\s+SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: (\S+)$/gm)].map((m) => m[1]);
      assert.deepEqual(created.sort(), names.sort());
    });

    test("nginx DaemonSet: kubectl get pods -o wide --selector=app=nginx-daemon", async () => {
      assert.equal((await c.kubectlOk(["apply", "-f", fixturePath("nginx-daemonset.yaml")])).trim(), "daemonset.apps/nginx-daemonset created");
      const items = await onePodPerNode("app=nginx-daemon");
      const lines = (await c.kubectlOk(["get", "pods", "-o", "wide", "--selector=app=nginx-daemon"])).trim().split("\n");
      assert.match(lines[0] ?? "", /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
      assert.equal(lines.length, 4);
      const rows = lines.slice(1).map((l) => l.split(/\s+/));
      assert.deepEqual(rows.map((r) => r[6]).sort(), nodeNames);
      for (const r of rows) {
        assert.match(r[0] ?? "", /^nginx-daemonset-[a-z0-9]{5}$/);
        assert.deepEqual(r.slice(1, 4), ["1/1", "Running", "0"]);
        const pod = items.find((p) => p.metadata.name === r[0]);
        assert.equal(r[5], pod.status.podIP);
        assert.match(r[5] ?? "", /^\d+\.\d+\.\d+\.\d+$/);
      }
      assert.equal(new Set(rows.map((r) => r[5])).size, 3);
    });

    test("fluentd: apply -f fluentd-daemonset.yaml; the k8s-app label is on the DaemonSet, not its pods", async () => {
      assert.equal((await c.kubectlOk(["apply", "-f", fixturePath("fluentd-daemonset.yaml")])).trim(), "daemonset.apps/fluentd created");
      await onePodPerNode("name=fluentd", "kube-system");
      const byLabel = await c.kubectl(["get", "pods", "-n", "kube-system", "-l", "k8s-app=fluentd-logging"]);
      assert.equal(byLabel.code, 0);
      assert.equal(byLabel.stdout, "");
      assert.equal(byLabel.stderr.trim(), "No resources found in kube-system namespace.");
      await waitForDaemonSet("fluentd", "3 3 3 3 3", "kube-system");
      assert.match(await c.kubectlOk(["get", "ds", "-n", "kube-system", "-l", "k8s-app=fluentd-logging"]), /^fluentd\s+3\s+3\s+3\s+3\s+3\s/m);
      const podTable = (await c.kubectlOk(["get", "pods", "-n", "kube-system", "-l", "name=fluentd"])).trim().split("\n");
      assert.equal(podTable.length, 4);
      for (const line of podTable.slice(1)) assert.match(line, /^fluentd-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/);
    });

    test("fluentd: re-applying the tolerations variant rolls the pods over to it", async () => {
      const before = new Set((await pods("name=fluentd", "kube-system")).map((p) => p.metadata.uid as string));
      assert.equal((await c.kubectlOk(["apply", "-f", fixturePath("fluentd-kube-system.yaml")])).trim(), "daemonset.apps/fluentd configured");
      const status = await c.kubectlOk(["rollout", "status", "ds/fluentd", "-n", "kube-system", "--timeout=30s"]);
      assert.match(status, /daemon set "fluentd" successfully rolled out/);
      const items = await onePodPerNode("name=fluentd", "kube-system");
      for (const p of items) {
        assert.ok(!before.has(p.metadata.uid), "every pod was replaced");
        assert.equal(p.spec.containers[0].image, "fluent/fluentd:v1.12");
        assert.deepEqual(p.spec.containers[0].resources, { limits: { memory: "200Mi" }, requests: { cpu: "100m", memory: "200Mi" } });
        assert.ok(p.spec.tolerations.some((t: any) => t.key === "node-role.kubernetes.io/master" && t.effect === "NoSchedule"));
      }
      // The new manifest has no labels: apply removed k8s-app from the DaemonSet.
      const none = await c.kubectl(["get", "ds", "-n", "kube-system", "-l", "k8s-app=fluentd-logging"]);
      assert.equal(none.stderr.trim(), "No resources found in kube-system namespace.");
      const out = await c.kubectlOk(["describe", "ds", "fluentd", "-n", "kube-system"]);
      assert.match(out, /^Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
      assert.match(out, /^\s+Tolerations:\s+node-role.kubernetes.io\/master:NoSchedule op=Exists$/m);
      assert.match(out, /Normal\s+SuccessfulDelete\s+\S+\s+daemonset-controller\s+Deleted pod: fluentd-/);
    });

    test("node-exporter in namespace monitoring; kubectl get ds -A; kubectl describe ds <name> -n <namespace>", async () => {
      assert.equal((await c.kubectlOk(["create", "namespace", "monitoring"])).trim(), "namespace/monitoring created");
      assert.equal((await c.kubectlOk(["create", "-f", fixturePath("node-exporter.yaml")])).trim(), "daemonset.apps/node-exporter created");
      const items = await onePodPerNode("app=node-exporter", "monitoring");
      assert.deepEqual(items[0].spec.containers[0].ports, [{ containerPort: 9100, name: "metrics", protocol: "TCP" }]);
      await waitForDaemonSet("node-exporter", "3 3 3 3 3", "monitoring");
      const all = await c.kubectlOk(["get", "ds", "-A"]);
      for (const [ns, name] of [["default", "monitoring-daemon"], ["default", "nginx-daemonset"], ["kube-system", "fluentd"], ["monitoring", "node-exporter"]]) {
        assert.match(all, new RegExp(`^${ns}\\s+${name}\\s+3\\s+3\\s+3\\s+3\\s+3\\s+<none>\\s+\\d+s$`, "m"));
      }
      const out = await c.kubectlOk(["describe", "ds", "node-exporter", "-n", "monitoring"]);
      assert.match(out, /^Name:\s+node-exporter$/m);
      assert.match(out, /^Desired Number of Nodes Scheduled: 3$/m);
      assert.match(out, /^\s+Port:\s+9100\/TCP$/m);
    });

    test("demo DaemonSet: get ds, describe ds, -o yaml and the status fields of -o json", async () => {
      assert.equal((await c.kubectlOk(["create", "-f", fixturePath("demo.yaml")])).trim(), "daemonset.apps/demo created");
      await waitForDaemonSet("demo", "3 3 3 3 3");
      assert.match(await c.kubectlOk(["get", "ds"]), /^demo\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\d+s$/m);
      const described = await c.kubectlOk(["describe", "ds", "demo"]);
      assert.match(described, /^Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
      assert.match(described, /^\s+Command:\n\s+sleep\n\s+infinity$/m);
      const expected = {
        currentNumberScheduled: 3, desiredNumberScheduled: 3, numberAvailable: 3, numberMisscheduled: 0,
        numberReady: 3, observedGeneration: 1, updatedNumberScheduled: 3,
      };
      const asYaml = parse(await c.kubectlOk(["get", "ds", "demo", "-o", "yaml"])) as { status: unknown };
      assert.deepEqual(asYaml.status, expected);
      // `kubectl get ds demo -o json | jq .status`
      const asJson = JSON.parse(await c.kubectlOk(["get", "ds", "demo", "-o", "json"])) as { status: unknown };
      assert.deepEqual(asJson.status, expected);
    });

    test("the deployment-to-daemonset recipe", async () => {
      const generated = await c.kubectlOk(["create", "deployment", "elasticsearch", "--image=registry.k8s.io/fluentd-elasticsearch:1.20",
        "-n", "kube-system", "--dry-run=client", "-o", "yaml"]);
      assert.match(generated, /^kind: Deployment$/m);
      const edited = generated
        .replace(/^kind: Deployment$/m, "kind: DaemonSet")
        .replace(/^ {2}replicas: \d+\n/m, "")
        .replace(/^ {2}strategy: \{\}\n/m, "")
        .replace(/^status: \{\}\n?/m, "");
      assert.doesNotMatch(edited, /replicas|strategy|status/);
      const file = join(c.home, "fluentd.yaml");
      await writeFile(file, edited);
      assert.equal((await c.kubectlOk(["create", "-f", file])).trim(), "daemonset.apps/elasticsearch created");
      const items = await onePodPerNode("app=elasticsearch", "kube-system");
      assert.equal(items[0].spec.containers[0].image, "registry.k8s.io/fluentd-elasticsearch:1.20");
      await waitForDaemonSet("elasticsearch", "3 3 3 3 3", "kube-system");
    });

    test("delete --cascade=orphan leaves the pods running; re-creating adopts them without restarts", async () => {
      const before = await pods("app=monitoring-agent");
      const revisions = async (): Promise<any[]> =>
        (JSON.parse(await c.kubectlOk(["get", "controllerrevisions", "-l", "app=monitoring-agent", "-o", "json"])) as { items: any[] }).items;
      const [revision] = await revisions();
      assert.ok(revision);
      assert.equal((await c.kubectlOk(["delete", "daemonset", "monitoring-daemon", "--cascade=orphan"])).trim(), 'daemonset.apps "monitoring-daemon" deleted');
      const gone = await c.kubectl(["get", "ds", "monitoring-daemon"]);
      assert.equal(gone.stderr.trim(), 'Error from server (NotFound): daemonsets.apps "monitoring-daemon" not found');

      const orphans = await pods("app=monitoring-agent");
      assert.deepEqual(orphans.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort());
      for (const p of orphans) {
        assert.equal(p.metadata.ownerReferences, undefined);
        assert.equal(p.metadata.deletionTimestamp, undefined);
        assert.equal(p.status.phase, "Running");
      }
      const [orphanRevision] = await revisions();
      assert.equal(orphanRevision?.metadata.name, revision.metadata.name);
      assert.equal(orphanRevision?.metadata.ownerReferences, undefined);
      assert.match(await c.kubectlOk(["get", "pods", "-l", "app=monitoring-agent"]), /^(monitoring-daemon-\S+\s+1\/1\s+Running\s+0\s+\S+\n?){3}$/m);

      assert.equal((await c.kubectlOk(["create", "-f", fixturePath("daemon-set-definition.yaml")])).trim(), "daemonset.apps/monitoring-daemon created");
      const uid = (await c.kubectlOk(["get", "ds", "monitoring-daemon", "-o", "jsonpath={.metadata.uid}"])).trim();
      const adopted = await eventually(async () => {
        const items = await pods("app=monitoring-agent");
        for (const p of items) {
          assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "monitoring-daemon", uid, controller: true, blockOwnerDeletion: true }]);
        }
        return items;
      });
      const key = (p: any): string => `${p.metadata.name}/${p.metadata.uid}/${p.metadata.labels["controller-revision-hash"]}/${p.status.containerStatuses[0].restartCount}`;
      assert.deepEqual(adopted.map(key).sort(), before.map(key).sort());
      await waitForDaemonSet("monitoring-daemon", "3 3 3 3 3");
      const [adoptedRevision, ...more] = await revisions();
      assert.equal(more.length, 0);
      assert.equal(adoptedRevision?.metadata.name, revision.metadata.name);
      assert.equal(adoptedRevision?.metadata.ownerReferences[0].uid, uid);
      assert.doesNotMatch(await c.kubectlOk(["describe", "ds", "monitoring-daemon"]), /SuccessfulCreate/);
    });

    test("deleting a DaemonSet cleans up the pods it created", async () => {
      assert.equal((await c.kubectlOk(["delete", "ds", "demo"])).trim(), 'daemonset.apps "demo" deleted');
      await eventually(async () => {
        const r = await c.kubectl(["get", "pods", "-l", "app=demo"]);
        assert.equal(r.stderr.trim(), "No resources found in default namespace.");
      });
    });

    test("delete --cascade=false (deprecated spelling) orphans too", async () => {
      const before = (await pods("app=nginx-daemon")).map((p) => p.metadata.uid as string).sort();
      const r = await c.kubectl(["delete", "ds", "nginx-daemonset", "--cascade=false"]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim(), 'daemonset.apps "nginx-daemonset" deleted');
      assert.match(r.stderr, /warning: --cascade=false is deprecated \(boolean value\) and can be replaced with --cascade=orphan\./);
      const after = await pods("app=nginx-daemon");
      assert.deepEqual(after.map((p) => p.metadata.uid).sort(), before);
      for (const p of after) assert.equal(p.metadata.ownerReferences, undefined);
      const wide = (await c.kubectlOk(["get", "pods", "-o", "wide", "--selector=app=nginx-daemon"])).trim().split("\n");
      assert.equal(wide.length, 4);
    });
  });
}
