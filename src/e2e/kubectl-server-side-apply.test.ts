import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { fixture } from "./fixtures.js";
import { startTestCluster, type TestCluster } from "./harness.js";

/** A DaemonSet manifest with one container `c`, its image and env. */
function daemonSet(name: string, image: string, env: Array<[string, string]>, extra = ""): string {
  const envText = env.length === 0 ? "" : `\n        env:\n${env.map(([n, v]) => `        - name: ${n}\n          value: "${v}"`).join("\n")}`;
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: c
        image: ${image}${envText}${extra}
`;
}

interface Entry { manager: string; operation: string; apiVersion: string; time?: string; fieldsType: string; fieldsV1: Record<string, unknown>; subresource?: string }

describe("kubectl apply --server-side: field ownership", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 1 }); });
  after(async () => { await c.stop(); });

  const managed = async (name: string): Promise<Entry[]> => {
    const ds = JSON.parse(await c.kubectlOk(["get", "ds", name, "-o", "json", "--show-managed-fields"])) as { metadata: { managedFields?: Entry[] } };
    return ds.metadata.managedFields ?? [];
  };
  const image = (name: string): Promise<string> => c.kubectlOk(["get", "ds", name, "-o", "jsonpath={.spec.template.spec.containers[0].image}"]);

  test("two field managers on a DaemonSet: shared values, the 409 kubectl prints, --force-conflicts", async () => {
    assert.equal((await c.kubectlOk(["apply", "--server-side", "-f", "-"], daemonSet("two", "nginx:1.27", [["A", "1"]]))).trim(), "daemonset.apps/two serverside-applied");
    // Same value: shared ownership, no conflict.
    assert.equal((await c.kubectlOk(["apply", "--server-side", "--field-manager=team-b", "-f", "-"], daemonSet("two", "nginx:1.27", []))).trim(), "daemonset.apps/two serverside-applied");
    const both = await managed("two");
    assert.deepEqual(both.filter((e) => e.operation === "Apply").map((e) => e.manager).sort(), ["kubectl", "team-b"]);
    for (const e of both.filter((x) => x.operation === "Apply")) assert.match(JSON.stringify(e.fieldsV1), /"f:image"/);

    const refused = await c.kubectl(["apply", "--server-side", "--field-manager=team-b", "-f", "-"], daemonSet("two", "nginx:1.28", []));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl": \.spec\.template\.spec\.containers\[name="c"\]\.image\nPlease review the fields above--they currently have other managers/);
    assert.equal(await image("two"), "nginx:1.27", "a refused apply changes nothing");

    assert.equal((await c.kubectlOk(["apply", "--server-side", "--force-conflicts", "--field-manager=team-b", "-f", "-"], daemonSet("two", "nginx:1.28", []))).trim(), "daemonset.apps/two serverside-applied");
    assert.equal(await image("two"), "nginx:1.28");
    const after = await managed("two");
    const kubectl = after.find((e) => e.manager === "kubectl");
    assert.doesNotMatch(JSON.stringify(kubectl?.fieldsV1), /"f:image"/, "forcing takes the field from the other manager");
    assert.match(JSON.stringify(kubectl?.fieldsV1), /"k:\{\\"name\\":\\"A\\"\}"/);
  });

  test("a field dropped from the applied configuration is removed; one another manager also owns stays", async () => {
    await c.kubectlOk(["apply", "--server-side", "-f", "-"], daemonSet("drop", "busybox", [["A", "1"], ["B", "2"], ["C", "3"]]));
    await c.kubectlOk(["apply", "--server-side", "--field-manager=keeper", "-f", "-"], daemonSet("drop", "busybox", [["C", "3"]]));
    await c.kubectlOk(["apply", "--server-side", "-f", "-"], daemonSet("drop", "busybox", [["A", "1"]]));
    const env = JSON.parse(await c.kubectlOk(["get", "ds", "drop", "-o", "jsonpath={.spec.template.spec.containers[0].env}"])) as unknown;
    assert.deepEqual(env, [{ name: "A", value: "1" }, { name: "C", value: "3" }]);
  });

  test("--show-managed-fields shows FieldsV1; plain -o yaml hides it", async () => {
    await c.kubectlOk(["apply", "--server-side", "-f", "-"], daemonSet("shown", "busybox", [["A", "1"]], "\n        ports:\n        - containerPort: 80"));
    const plain = await c.kubectlOk(["get", "ds", "shown", "-o", "yaml"]);
    assert.doesNotMatch(plain, /managedFields/);
    const shown = parse(await c.kubectlOk(["get", "ds", "shown", "-o", "yaml", "--show-managed-fields"])) as { metadata: { managedFields: Entry[] } };
    const entry = shown.metadata.managedFields.find((e) => e.manager === "kubectl");
    assert.equal(entry?.operation, "Apply");
    assert.equal(entry?.apiVersion, "apps/v1");
    assert.equal(entry?.fieldsType, "FieldsV1");
    assert.match(entry?.time ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(entry?.fieldsV1, {
      "f:spec": {
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"c"}': {
                ".": {}, "f:env": { 'k:{"name":"A"}': { ".": {}, "f:name": {}, "f:value": {} } }, "f:image": {}, "f:name": {},
                "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
              },
            },
          },
        },
      },
    });
    // The DaemonSet controller's status writes are recorded against the status subresource.
    await waitFor(async () => (await managed("shown")).some((e) => e.manager === "kube-controller-manager" && e.subresource === "status"));
  });

  test("client-side apply, then server-side: ownership moves from kubectl-client-side-apply to kubectl", async () => {
    assert.equal((await c.kubectlOk(["apply", "-f", "-"], daemonSet("upgrade", "nginx:1.27", [["A", "1"]]))).trim(), "daemonset.apps/upgrade created");
    const csa = await managed("upgrade");
    assert.ok(csa.some((e) => e.manager === "kubectl-client-side-apply" && e.operation === "Update"), JSON.stringify(csa));
    // Another client-side apply changing the image: the client-side manager owns it.
    await c.kubectlOk(["apply", "-f", "-"], daemonSet("upgrade", "nginx:1.28", [["A", "1"]]));
    assert.equal((await c.kubectlOk(["apply", "--server-side", "-f", "-"], daemonSet("upgrade", "nginx:1.29", [["A", "1"]]))).trim(), "daemonset.apps/upgrade serverside-applied");
    assert.equal(await image("upgrade"), "nginx:1.29");
    const ssa = await managed("upgrade");
    assert.ok(!ssa.some((e) => e.manager === "kubectl-client-side-apply"), JSON.stringify(ssa.map((e) => e.manager)));
    const kubectl = ssa.find((e) => e.manager === "kubectl" && e.operation === "Apply");
    assert.match(JSON.stringify(kubectl?.fieldsV1), /"f:image"/);
    const lastApplied = await c.kubectlOk(["get", "ds", "upgrade", "-o", "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}"]);
    assert.match(lastApplied, /nginx:1\.29/, "the server keeps the last-applied annotation in step");
    // A client-side edit by another manager now conflicts with kubectl's server-side apply.
    await c.kubectlOk(["set", "image", "ds/upgrade", "c=nginx:1.30"]);
    const refused = await c.kubectl(["apply", "--server-side", "-f", "-"], daemonSet("upgrade", "nginx:1.29", [["A", "1"]]));
    assert.match(refused.stderr, /Apply failed with 1 conflict: conflict with "kubectl-set" using apps\/v1: \.spec\.template\.spec\.containers\[name="c"\]\.image/);
  });

  test("the seeds' manifests and the logging agent apply server-side unchanged, twice", async () => {
    await c.kubectlOk(["create", "namespace", "monitoring"]);
    for (const name of ["daemon-set-definition.yaml", "fluentd-daemonset.yaml", "nginx-daemonset.yaml", "node-exporter.yaml", "logging-agent.yaml"]) {
      for (let round = 0; round < 2; round++) {
        const out = await c.kubectl(["apply", "--server-side", "-f", "-"], fixture(name));
        assert.equal(out.code, 0, `${name}: ${out.stderr}`);
        assert.match(out.stdout, /serverside-applied/, name);
      }
    }
    const cm = JSON.parse(await c.kubectlOk(["get", "cm", "-n", "kube-system", "log-agent-config", "-o", "json", "--show-managed-fields"])) as { metadata: { managedFields: Entry[] } };
    assert.deepEqual(cm.metadata.managedFields.map((e) => `${e.manager}/${e.operation}`), ["kubectl/Apply"]);
    assert.deepEqual(Object.keys(cm.metadata.managedFields[0]?.fieldsV1 ?? {}), ["f:data"]);
    // An applied configuration of nothing but a name owns nothing: no entry, as upstream.
    const sa = JSON.parse(await c.kubectlOk(["get", "sa", "-n", "kube-system", "log-agent", "-o", "json", "--show-managed-fields"])) as { metadata: { managedFields?: Entry[] } };
    assert.equal(sa.metadata.managedFields, undefined);
  });

  test("managedFields set to garbage are refused (422, nothing stored); [] clears them", async () => {
    await c.kubectlOk(["apply", "--server-side", "-f", "-"], daemonSet("meta", "busybox", []));
    const bad = await c.kubectl(["patch", "ds", "meta", "--type=merge", "-p", '{"metadata":{"managedFields":[{"manager":"x","operation":"Bogus","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{}}}}]}}']);
    assert.match(bad.stderr, /metadata\.managedFields\[0\]\.operation: Invalid value: "Bogus": must be `Apply` or `Update`/);
    assert.ok(!(await managed("meta")).some((e) => e.manager === "x"), "the refused entry is not stored");
    await c.kubectlOk(["patch", "ds", "meta", "--type=merge", "-p", '{"metadata":{"managedFields":[]}}']);
    assert.deepEqual(await managed("meta"), []);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail("condition not met in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}
