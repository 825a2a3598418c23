import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { defaultStages, type StageConfig } from "../simulator/index.js";
import { eventually, startTestCluster, type TestCluster } from "./harness.js";

const nodeNames = ["node-1", "node-2", "node-3"];

/** Extra pod-spec YAML (indented for `template.spec`) and the image of a test DaemonSet. */
interface DaemonSpec {
  podSpec?: string;
  image?: string;
}

/** The shipped pod lifecycle, five times faster (deletion grace periods are kept). */
function fastStages(): StageConfig {
  return {
    stages: defaultStages().stages.map((stage) => ({
      ...stage,
      delay: stage.delay && { ...stage.delay, ms: (stage.delay.ms ?? 0) / 5, jitterMs: (stage.delay.jitterMs ?? 0) / 5 },
    })),
  };
}

/** A DaemonSet manifest like the upstream e2e ones: selector and template label `daemonset-name: <name>`. */
function daemonSet(name: string, spec: DaemonSpec = {}): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels:
      daemonset-name: ${name}
  template:
    metadata:
      labels:
        daemonset-name: ${name}
    spec:
${spec.podSpec ?? ""}      containers:
      - name: app
        image: ${spec.image ?? "registry.k8s.io/e2e-test-images/httpd:2.4.38-4"}
        ports:
        - containerPort: 9376
`;
}

/** Ports of test/e2e/apps/daemon_set.go, driven through the real kubectl against three simulated nodes. */
describe("DaemonSet scenarios through kubectl", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 3, stages: fastStages() }); });
  after(async () => { await c.stop(); });

  const pods = async (ds: string): Promise<any[]> =>
    (JSON.parse(await c.kubectlOk(["get", "pods", "-l", `daemonset-name=${ds}`, "-o", "json"])) as { items: any[] }).items;
  const ready = (p: any): boolean => p.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True") === true;
  const dsJson = async (name: string): Promise<any> => JSON.parse(await c.kubectlOk(["get", "ds", name, "-o", "json"]));
  const nodeOf = (items: any[], node: string): any => items.find((p) => p.spec.nodeName === node);

  /** Waits until the DaemonSet's pods are exactly one running, ready, non-terminating pod on each of `nodes`. */
  const waitForPodsOn = (ds: string, nodes: string[]): Promise<any[]> =>
    eventually(async () => {
      const items = await pods(ds);
      assert.deepEqual(items.map((p) => p.spec.nodeName).sort(), [...nodes].sort());
      for (const p of items) {
        assert.equal(p.metadata.deletionTimestamp, undefined);
        assert.equal(p.status.phase, "Running");
        assert.ok(ready(p), `${p.metadata.name} is ready`);
      }
      return items;
    });

  /** Waits until `get ds` prints these DESIRED CURRENT READY UP-TO-DATE AVAILABLE counts and NODE SELECTOR. */
  const waitForRow = (name: string, counts: string, selector = "<none>"): Promise<string> =>
    eventually(async () => {
      const row = (await c.kubectlOk(["get", "ds", name, "--no-headers"])).trim();
      assert.match(row, new RegExp(`^${name}\\s+${counts.split(" ").join("\\s+")}\\s+${selector}\\s+\\d+s$`));
      return row;
    });

  /** Waits until the controller has synced the current generation of the DaemonSet and returns its status. */
  const observed = (name: string): Promise<any> =>
    eventually(async () => {
      const ds = await dsJson(name);
      assert.equal(ds.status.observedGeneration, ds.metadata.generation);
      return ds.status;
    });

  /** Deletes the DaemonSet (background) and waits until its pods are gone. */
  const deleteAndWait = async (name: string): Promise<void> => {
    assert.equal((await c.kubectlOk(["delete", "ds", name])).trim(), `daemonset.apps "${name}" deleted`);
    await eventually(async () => assert.deepEqual(await pods(name), []));
  };

  const noPods = async (name: string): Promise<void> => {
    const r = await c.kubectl(["get", "pods", "-l", `daemonset-name=${name}`]);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim(), "No resources found in default namespace.");
  };

  test("run and stop simple daemon: a pod on every node; a deleted pod is replaced", async () => {
    assert.equal((await c.kubectlOk(["create", "-f", "-"], daemonSet("daemon-set"))).trim(), "daemonset.apps/daemon-set created");
    const first = await waitForPodsOn("daemon-set", nodeNames);
    await waitForRow("daemon-set", "3 3 3 3 3");

    const victim = nodeOf(first, "node-2");
    assert.equal((await c.kubectlOk(["delete", "pod", victim.metadata.name])).trim(), `pod "${victim.metadata.name}" deleted`);
    const second = await waitForPodsOn("daemon-set", nodeNames);
    const replacement = nodeOf(second, "node-2");
    assert.notEqual(replacement.metadata.name, victim.metadata.name);
    for (const node of ["node-1", "node-3"]) assert.equal(nodeOf(second, node).metadata.uid, nodeOf(first, node).metadata.uid);
    await waitForRow("daemon-set", "3 3 3 3 3");

    const described = await c.kubectlOk(["describe", "ds", "daemon-set"]);
    assert.match(described, new RegExp(`Normal\\s+SuccessfulCreate\\s+\\S+\\s+daemonset-controller\\s+Created pod: ${replacement.metadata.name}$`, "m"));
    assert.equal([...described.matchAll(/SuccessfulCreate/g)].length, 4);

    // describe node lists the daemon pod among its non-terminated pods.
    const node = await c.kubectlOk(["describe", "node", "node-2"]);
    assert.match(node, /^Non-terminated Pods:\s+\(1 in total\)$/m);
    assert.match(node, new RegExp(`^\\s+default\\s+${replacement.metadata.name}\\s+0 \\(0%\\)`, "m"));
    assert.match(node, /Normal\s+RegisteredNode\s+\S+\s+node-controller\s+Node node-2 event: Registered Node node-2 in Controller/);

    // kubectl get events shows what the controller did.
    const events = await c.kubectlOk(["get", "events", "--field-selector", "involvedObject.kind=DaemonSet"]);
    assert.match(events, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    assert.match(events, new RegExp(`Normal\\s+SuccessfulCreate\\s+daemonset/daemon-set\\s+Created pod: ${replacement.metadata.name}$`, "m"));

    await deleteAndWait("daemon-set");
    await noPods("daemon-set");
  });

  test("run and stop complex daemon: nodeSelector, node labels and a patched selector", async () => {
    const manifest = daemonSet("complex-daemon", { podSpec: "      nodeSelector:\n        color: blue\n" });
    await c.kubectlOk(["create", "-f", "-"], manifest);
    assert.equal((await observed("complex-daemon")).desiredNumberScheduled, 0);
    await waitForRow("complex-daemon", "0 0 0 0 0", "color=blue");
    await noPods("complex-daemon");

    assert.equal((await c.kubectlOk(["label", "node", "node-1", "color=blue"])).trim(), "node/node-1 labeled");
    await waitForPodsOn("complex-daemon", ["node-1"]);
    await waitForRow("complex-daemon", "1 1 1 1 1", "color=blue");

    assert.equal((await c.kubectlOk(["label", "node", "node-1", "color=green", "--overwrite"])).trim(), "node/node-1 labeled");
    await eventually(async () => assert.deepEqual(await pods("complex-daemon"), []));
    await waitForRow("complex-daemon", "0 0 0 0 0", "color=blue");

    const patch = '{"spec":{"template":{"spec":{"nodeSelector":{"color":"green"}}},"updateStrategy":{"type":"RollingUpdate"}}}';
    assert.equal((await c.kubectlOk(["patch", "ds", "complex-daemon", "-p", patch])).trim(), "daemonset.apps/complex-daemon patched");
    await waitForPodsOn("complex-daemon", ["node-1"]);
    await waitForRow("complex-daemon", "1 1 1 1 1", "color=green");
    assert.match(await c.kubectlOk(["describe", "ds", "complex-daemon"]), /^Node-Selector:\s+color=green$/m);

    await deleteAndWait("complex-daemon");
    assert.equal((await c.kubectlOk(["label", "node", "node-1", "color-"])).trim(), "node/node-1 unlabeled");
  });

  test("run and stop complex daemon with node affinity", async () => {
    const affinity = `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - key: daemonset-color
                operator: In
                values: [blue]
`;
    await c.kubectlOk(["create", "-f", "-"], daemonSet("affinity-daemon", { podSpec: affinity }));
    assert.equal((await observed("affinity-daemon")).desiredNumberScheduled, 0);
    await noPods("affinity-daemon");

    await c.kubectlOk(["label", "node", "node-2", "daemonset-color=blue"]);
    const [pod] = await waitForPodsOn("affinity-daemon", ["node-2"]);
    // The controller pins the pod with a matchFields term; the scheduler binds it.
    assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
      [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-2"] }] }]);
    await waitForRow("affinity-daemon", "1 1 1 1 1");

    assert.equal((await c.kubectlOk(["label", "node", "node-2", "daemonset-color-"])).trim(), "node/node-2 unlabeled");
    await eventually(async () => assert.deepEqual(await pods("affinity-daemon"), []));
    await waitForRow("affinity-daemon", "0 0 0 0 0");
    await deleteAndWait("affinity-daemon");
  });

  test("retry creating failed daemon pods", async () => {
    await c.kubectlOk(["create", "-f", "-"], daemonSet("failing-daemon"));
    const first = await waitForPodsOn("failing-daemon", nodeNames);
    const victim = nodeOf(first, "node-3").metadata.name as string;
    const patched = await c.kubectlOk(["patch", "pod", victim, "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Failed"}}']);
    assert.equal(patched.trim(), `pod/${victim} patched`);
    const second = await waitForPodsOn("failing-daemon", nodeNames);
    assert.notEqual(nodeOf(second, "node-3").metadata.name, victim);
    const gone = await c.kubectl(["get", "pod", victim]);
    assert.equal(gone.stderr.trim(), `Error from server (NotFound): pods "${victim}" not found`);

    const described = await c.kubectlOk(["describe", "ds", "failing-daemon"]);
    assert.match(described, new RegExp(`Warning\\s+FailedDaemonPod\\s+\\S+\\s+daemonset-controller\\s+Found failed daemon pod default/${victim} on node node-3, will try to kill it$`, "m"));
    assert.match(described, new RegExp(`Normal\\s+SuccessfulDelete\\s+\\S+\\s+daemonset-controller\\s+Deleted pod: ${victim}$`, "m"));
    const events = await c.kubectlOk(["get", "events", "--field-selector", "reason=FailedDaemonPod"]);
    assert.match(events, new RegExp(`Warning\\s+FailedDaemonPod\\s+daemonset/failing-daemon\\s+Found failed daemon pod default/${victim} on node node-3`));
    await deleteAndWait("failing-daemon");
  });

  test("a node joining gets a daemon pod; a node leaving loses it", async () => {
    await c.kubectlOk(["create", "-f", "-"], daemonSet("every-node"));
    await waitForPodsOn("every-node", nodeNames);
    const node = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-4\n  annotations:\n    everynode.dev/simulated: "true"\n';
    assert.equal((await c.kubectlOk(["create", "-f", "-"], node)).trim(), "node/node-4 created");
    try {
      await eventually(async () => assert.match((await c.kubectlOk(["get", "node", "node-4", "--no-headers"])).trim(), /^node-4\s+Ready\s+<none>\s+\S+\s+v1\.32\.\d+$/));
      await waitForPodsOn("every-node", [...nodeNames, "node-4"]);
      await waitForRow("every-node", "4 4 4 4 4");
    } finally {
      assert.equal((await c.kubectlOk(["delete", "node", "node-4"])).trim(), 'node "node-4" deleted');
    }
    await waitForPodsOn("every-node", nodeNames);
    await waitForRow("every-node", "3 3 3 3 3");
    await deleteAndWait("every-node");
  });

  test("taints: NoSchedule keeps running pods (misscheduled) but places none; NoExecute removes them", async () => {
    await c.kubectlOk(["create", "-f", "-"], daemonSet("taint-a"));
    const before = await waitForPodsOn("taint-a", nodeNames);
    assert.equal((await c.kubectlOk(["taint", "node", "node-1", "dedicated=infra:NoSchedule"])).trim(), "node/node-1 tainted");
    const status = await eventually(async () => {
      const s = (await dsJson("taint-a")).status;
      assert.equal(s.numberMisscheduled, 1);
      return s;
    });
    assert.deepEqual(
      [status.desiredNumberScheduled, status.currentNumberScheduled, status.numberReady, status.updatedNumberScheduled, status.numberAvailable],
      [2, 2, 2, 2, 2]);
    assert.equal(nodeOf(await pods("taint-a"), "node-1")?.metadata.uid, nodeOf(before, "node-1").metadata.uid);
    await waitForRow("taint-a", "2 2 2 2 2");
    assert.match(await c.kubectlOk(["describe", "ds", "taint-a"]), /^Number of Nodes Misscheduled: 1$/m);

    await c.kubectlOk(["create", "-f", "-"], daemonSet("taint-b"));
    await waitForPodsOn("taint-b", ["node-2", "node-3"]);
    const statusB = await observed("taint-b");
    assert.equal(statusB.desiredNumberScheduled, 2);
    assert.equal(statusB.numberMisscheduled, 0);
    await waitForRow("taint-b", "2 2 2 2 2");
    assert.deepEqual((await pods("taint-b")).map((p) => p.spec.nodeName).sort(), ["node-2", "node-3"]);

    assert.equal((await c.kubectlOk(["taint", "node", "node-1", "dedicated=infra:NoSchedule-"])).trim(), "node/node-1 untainted");
    await waitForPodsOn("taint-b", nodeNames);
    await waitForRow("taint-a", "3 3 3 3 3");
    assert.equal((await dsJson("taint-a")).status.numberMisscheduled, 0);

    assert.equal((await c.kubectlOk(["taint", "node", "node-1", "evict=now:NoExecute"])).trim(), "node/node-1 tainted");
    await waitForPodsOn("taint-a", ["node-2", "node-3"]);
    await waitForPodsOn("taint-b", ["node-2", "node-3"]);
    await waitForRow("taint-a", "2 2 2 2 2");
    assert.equal((await dsJson("taint-a")).status.numberMisscheduled, 0);

    await c.kubectlOk(["taint", "node", "node-1", "evict=now:NoExecute-"]);
    await waitForPodsOn("taint-a", nodeNames);
    await deleteAndWait("taint-a");
    await deleteAndWait("taint-b");
  });

  test("cordon and drain --ignore-daemonsets: daemon pods keep running and new ones still land", async () => {
    await c.kubectlOk(["create", "-f", "-"], daemonSet("cordon-a"));
    const before = await waitForPodsOn("cordon-a", nodeNames);
    assert.equal((await c.kubectlOk(["cordon", "node-2"])).trim(), "node/node-2 cordoned");
    assert.match(await c.kubectlOk(["get", "node", "node-2", "--no-headers"]), /^node-2\s+Ready,SchedulingDisabled\s/);

    await c.kubectlOk(["create", "-f", "-"], daemonSet("cordon-b"));
    const created = await waitForPodsOn("cordon-b", nodeNames);
    assert.ok(nodeOf(created, "node-2").spec.tolerations.some((t: any) =>
      t.key === "node.kubernetes.io/unschedulable" && t.operator === "Exists" && t.effect === "NoSchedule"));
    await waitForRow("cordon-b", "3 3 3 3 3");

    const drained = await c.kubectl(["drain", "node-2", "--ignore-daemonsets"]);
    assert.equal(drained.code, 0, drained.stderr);
    assert.equal(drained.stdout.trim(), "node/node-2 already cordoned\nnode/node-2 drained");
    const ignored = /^Warning: ignoring DaemonSet-managed Pods: (.*)$/m.exec(drained.stderr)?.[1]?.split(", ").sort();
    assert.deepEqual(ignored, [nodeOf(before, "node-2"), nodeOf(created, "node-2")].map((p) => `default/${p.metadata.name}`).sort());
    const still = await waitForPodsOn("cordon-a", nodeNames);
    assert.equal(nodeOf(still, "node-2").metadata.uid, nodeOf(before, "node-2").metadata.uid);
    await waitForRow("cordon-a", "3 3 3 3 3");

    assert.equal((await c.kubectlOk(["uncordon", "node-2"])).trim(), "node/node-2 uncordoned");
    await deleteAndWait("cordon-a");
    await deleteAndWait("cordon-b");
  });

  test("delete with the default (background) cascade removes pods and controllerrevisions", async () => {
    await c.kubectlOk(["create", "-f", "-"], daemonSet("bg"));
    await waitForPodsOn("bg", nodeNames);
    const revisions = await c.kubectlOk(["get", "controllerrevisions", "-l", "daemonset-name=bg"]);
    assert.match(revisions, /^NAME\s+CONTROLLER\s+REVISION\s+AGE$/m);
    assert.match(revisions, /^bg-[a-z0-9]+\s+daemonset\.apps\/bg\s+1\s+\d+s$/m);
    assert.equal((await c.kubectlOk(["delete", "ds", "bg"])).trim(), 'daemonset.apps "bg" deleted');
    await eventually(async () => {
      await noPods("bg");
      const r = await c.kubectl(["get", "controllerrevisions", "-l", "daemonset-name=bg"]);
      assert.equal(r.stderr.trim(), "No resources found in default namespace.");
    });
  });

  test("delete --cascade=foreground: dependents go first, and kubectl waits for the DaemonSet", async () => {
    await c.kubectlOk(["create", "-f", "-"], daemonSet("fg", { image: "everynode.dev/slow-stop", podSpec: "      terminationGracePeriodSeconds: 10\n" }));
    await waitForPodsOn("fg", nodeNames);
    assert.equal((await c.kubectlOk(["delete", "ds", "fg", "--cascade=foreground", "--wait=false"])).trim(), 'daemonset.apps "fg" deleted');
    const deleting = await dsJson("fg");
    assert.deepEqual(deleting.metadata.finalizers, ["foregroundDeletion"]);
    assert.ok(deleting.metadata.deletionTimestamp);
    await eventually(async () => {
      const out = await c.kubectlOk(["get", "pods", "-l", "daemonset-name=fg", "--no-headers"]);
      assert.match(out, /^(fg-\S+\s+1\/1\s+Terminating\s+0\s+\S+\n){3}$/);
    });
    assert.ok((await dsJson("fg")).metadata.deletionTimestamp, "the DaemonSet waits for its pods");

    // Deleting again waits, like the first delete would have, until the DaemonSet is gone: by then its pods are too.
    assert.equal((await c.kubectlOk(["delete", "ds", "fg", "--cascade=foreground"])).trim(), 'daemonset.apps "fg" deleted');
    await noPods("fg");
    const gone = await c.kubectl(["get", "ds", "fg"]);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): daemonsets.apps "fg" not found');
  });

  test("delete --cascade=orphan keeps pods and revisions, without owners", async () => {
    await c.kubectlOk(["create", "-f", "-"], daemonSet("orphan"));
    const before = await waitForPodsOn("orphan", nodeNames);
    assert.equal((await c.kubectlOk(["delete", "ds", "orphan", "--cascade=orphan"])).trim(), 'daemonset.apps "orphan" deleted');
    const after = await pods("orphan");
    assert.deepEqual(after.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort());
    for (const p of after) assert.equal(p.metadata.ownerReferences, undefined);
    const revisions = (JSON.parse(await c.kubectlOk(["get", "controllerrevisions", "-l", "daemonset-name=orphan", "-o", "json"])) as { items: any[] }).items;
    assert.equal(revisions.length, 1);
    assert.equal(revisions[0].metadata.ownerReferences, undefined);
    assert.match(await c.kubectlOk(["get", "controllerrevisions", "-l", "daemonset-name=orphan"]), /^orphan-[a-z0-9]+\s+<none>\s+1\s+\d+s$/m);

    await c.kubectlOk(["delete", "pods,controllerrevisions", "-l", "daemonset-name=orphan"]);
    await noPods("orphan");
  });
});
