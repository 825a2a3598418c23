import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, startTestCluster, until, type TestCluster } from "./harness.js";

/** A DaemonJob manifest running busybox once per node. */
function daemonJob(name: string, spec: string): string {
  return `apiVersion: everynode.dev/v1alpha1
kind: DaemonJob
metadata:
  name: ${name}
spec:
${spec}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: task
        image: busybox
        command: ["sh", "-c", "echo done"]
`;
}

interface PodView { node: string; phase: string }

describe("kubectl and DaemonJobs on five simulated nodes", () => {
  let c: TestCluster;

  before(async () => {
    c = await startTestCluster({ nodes: 5 });
    await until(async () => (await c.kubectlOk(["get", "nodes", "-o", "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}"])) === "True True True True True", "5 Ready nodes");
  });
  after(async () => {
    await c.stop();
  });

  const pods = async (job: string): Promise<PodView[]> => {
    const list = JSON.parse(await c.kubectlOk(["get", "pods", "-l", `everynode.dev/daemonjob-name=${job}`, "-o", "json"])) as { items: { spec: { nodeName?: string }; status?: { phase?: string } }[] };
    return list.items.map((p) => ({ node: p.spec.nodeName ?? "", phase: p.status?.phase ?? "" })).sort((a, b) => a.node.localeCompare(b.node) || a.phase.localeCompare(b.phase));
  };
  const counts = async (job: string): Promise<string> =>
    c.kubectlOk(["get", "dj", job, "-o", "jsonpath={.status.desired}/{.status.active}/{.status.succeeded}/{.status.failed}"]);

  test("kubectl explain describes the spec from the served OpenAPI", async () => {
    const out = await c.kubectlOk(["explain", "dj.spec"]);
    assert.match(out, /GROUP:\s+everynode\.dev/);
    assert.match(out, /KIND:\s+DaemonJob/);
    assert.match(out, /VERSION:\s+v1alpha1/);
    for (const field of [/backoffLimitPerNode\s+<integer>/, /parallelism\s+<IntOrString>/, /runOnNewNodes\s+<boolean>/, /template\s+<PodTemplateSpec> -required-/, /ttlSecondsAfterFinished\s+<integer>/]) {
      assert.match(out, field);
    }
    const resources = await c.kubectlOk(["api-resources", "--api-group", "everynode.dev"]);
    assert.match(resources, /^daemonjobs\s+dj\s+everynode\.dev\/v1alpha1\s+true\s+DaemonJob$/m);
  });

  test("invalid DaemonJobs are refused with upstream-style field paths", async () => {
    const always = daemonJob("always", "").replace("restartPolicy: Never", "restartPolicy: Always");
    const r = await c.kubectl(["create", "-f", "-"], always);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The DaemonJob "always" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
    const unknown = await c.kubectl(["create", "-f", "-"], daemonJob("typo", "  backoffLimitPerNod: 2\n"));
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown field "spec.backoffLimitPerNod"/);
  });

  test("one failing node: 4 succeeded, 1 failed after its retry; Failed names it; kubectl get dj prints the counts", async () => {
    await c.kubectlOk(["annotate", "node", "node-3", "everynode.dev/simulate-fault=fail"]);
    await c.kubectlOk(["create", "-f", "-"], daemonJob("scan", "  backoffLimitPerNode: 1\n"));
    await until(async () => (await counts("scan")) === "5/0/4/1", "4 succeeded and 1 failed", 60_000);
    assert.deepEqual(await pods("scan"), [
      { node: "node-1", phase: "Succeeded" }, { node: "node-2", phase: "Succeeded" },
      { node: "node-3", phase: "Failed" }, { node: "node-3", phase: "Failed" },
      { node: "node-4", phase: "Succeeded" }, { node: "node-5", phase: "Succeeded" },
    ]);
    const condition = await c.kubectlOk(["get", "dj", "scan", "-o", "jsonpath={.status.conditions[?(@.type==\"Failed\")].status} {.status.conditions[?(@.type==\"Failed\")].reason}: {.status.conditions[?(@.type==\"Failed\")].message}"]);
    assert.equal(condition, "True FailedNodes: DaemonJob failed on 1 of 5 nodes: node-3");
    await c.kubectlOk(["wait", "--for=condition=Failed", "dj/scan", "--timeout=10s"]);
    const table = (await c.kubectlOk(["get", "dj"])).trimEnd().split("\n");
    assert.match(table[0] ?? "", /^NAME\s+STATUS\s+DESIRED\s+ACTIVE\s+SUCCEEDED\s+FAILED\s+COMPLETIONS\s+DURATION\s+AGE$/);
    assert.match(table[1] ?? "", /^scan\s+Failed\s+5\s+0\s+4\s+1\s+4\/5\s+\S+\s+\S+$/);
    const events = await c.kubectlOk(["get", "events", "--field-selector", "involvedObject.kind=DaemonJob,involvedObject.name=scan", "-o", "jsonpath={.items[*].reason}"]);
    assert.match(events, /SuccessfulCreate/);
    assert.match(events, /FailedNodes/);
    await c.kubectlOk(["annotate", "node", "node-3", "everynode.dev/simulate-fault-"]);
  });

  test("a node joining later is covered with runOnNewNodes, and not without", async () => {
    await c.kubectlOk(["create", "-f", "-"], `${daemonJob("follow", "  runOnNewNodes: true\n")}---\n${daemonJob("once", "")}`);
    await c.kubectlOk(["wait", "--for=condition=Complete", "dj/follow", "dj/once", "--timeout=60s"]);
    assert.equal(await counts("follow"), "5/0/5/0");
    await c.kubectlOk(["create", "-f", "-"], 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-6\n  annotations:\n    everynode.dev/simulated: "true"\n');
    await until(async () => (await counts("follow")) === "6/0/6/0", "follow covers node-6", 60_000);
    assert.ok((await pods("follow")).some((p) => p.node === "node-6" && p.phase === "Succeeded"));
    await c.kubectlOk(["wait", "--for=condition=Complete", "dj/follow", "--timeout=30s"]);
    assert.equal(await counts("once"), "5/0/5/0");
    assert.ok(!(await pods("once")).some((p) => p.node === "node-6"), "no pod of once on node-6");
  });

  test("kubectl delete dj removes its pods; kubectl run --restart=Never pods finish too", async () => {
    assert.equal((await pods("follow")).length, 6);
    await c.kubectlOk(["delete", "dj", "follow"]);
    await eventually(async () => { assert.equal((await pods("follow")).length, 0); }, 30_000);
    await c.kubectlOk(["run", "single", "--image=busybox", "--restart=Never"]);
    await until(async () => (await c.kubectlOk(["get", "pod", "single", "-o", "jsonpath={.status.phase}"])) === "Succeeded", "kubectl run pod Succeeded");
    assert.match(await c.kubectlOk(["get", "pod", "single"]), /single\s+0\/1\s+Completed\s+0/);
  });
});
