import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fixturePath } from "./fixtures.js";
import { startTestCluster, until, type TestCluster } from "./harness.js";

describe("a complete logging-agent manifest, Services and RBAC objects through kubectl", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 3 }); });
  after(async () => { await c.stop(); });

  test("kubectl apply -f of the multi-document manifest creates every object, and the DaemonSet converges", async () => {
    const out = await c.kubectlOk(["apply", "-f", fixturePath("logging-agent.yaml")]);
    assert.deepEqual(out.trim().split("\n"), [
      "serviceaccount/log-agent created",
      "clusterrole.rbac.authorization.k8s.io/log-agent created",
      "clusterrolebinding.rbac.authorization.k8s.io/log-agent created",
      "configmap/log-agent-config created",
      "daemonset.apps/log-agent created",
      "service/log-agent created",
    ]);
    await until(async () => (await c.kubectlOk(["get", "ds", "log-agent", "-n", "kube-system", "--no-headers"])).split(/\s+/).slice(1, 6).join(" ") === "3 3 3 3 3", "daemonset converged");
    const pods = JSON.parse(await c.kubectlOk(["get", "pods", "-n", "kube-system", "-l", "app.kubernetes.io/name=log-agent", "-o", "json"])) as { items: Array<{ spec: { priority: number } }> };
    assert.equal(pods.items.length, 3);
    for (const p of pods.items) assert.equal(p.spec.priority, 2000001000);
    const again = await c.kubectlOk(["apply", "-f", fixturePath("logging-agent.yaml")]);
    assert.match(again, /daemonset.apps\/log-agent unchanged/);
    assert.match(await c.kubectlOk(["get", "svc", "log-agent", "-n", "kube-system"]), /^log-agent\s+ClusterIP\s+None\s+<none>\s+2020\/TCP\s+\d+s$/m);
    assert.match(await c.kubectlOk(["get", "clusterrolebinding", "log-agent", "-o", "wide"]), /^log-agent\s+ClusterRole\/log-agent\s+\S+\s+kube-system\/log-agent$/m);
  });

  test("default/kubernetes Service and kubectl cluster-info", async () => {
    assert.match(await c.kubectlOk(["get", "svc", "kubernetes"]), /^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+/m);
    assert.match(await c.kubectlOk(["cluster-info"]), /Kubernetes control plane.* is running at https:\/\/127\.0\.0\.1:\d+/);
    assert.match(await c.kubectlOk(["get", "endpoints", "kubernetes"]), /^kubernetes\s+127\.0\.0\.1:\d+\s+/m);
  });

  test("ClusterIP and NodePort allocation; invalid ports and taken node ports are refused", async () => {
    await c.kubectlOk(["create", "service", "clusterip", "web", "--tcp=80:8080"]);
    const ip = await c.kubectlOk(["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"]);
    assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    await c.kubectlOk(["create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"]);
    assert.match(await c.kubectlOk(["get", "svc", "np"]), /^np\s+NodePort\s+10\.\S+\s+<none>\s+80:30080\/TCP\s+/m);
    const taken = await c.kubectl(["create", "service", "nodeport", "np2", "--tcp=81:8080", "--node-port=30080"]);
    assert.match(taken.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
    const range = await c.kubectl(["create", "service", "nodeport", "np3", "--tcp=82:8080", "--node-port=80"]);
    assert.match(range.stderr, /provided port is not in the valid range\. The range of valid ports is 30000-32767/);
    const badPort = await c.kubectl(["create", "-f", "-"], "apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  ports:\n  - port: 70000\n");
    assert.match(badPort.stderr, /spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive/);
    const noName = await c.kubectl(["create", "-f", "-"], "apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  ports:\n  - port: 80\n  - port: 81\n");
    assert.match(noName.stderr, /spec\.ports\[1\]\.name: Required value/);
    for (const name of ["np2", "np3", "bad"]) assert.match((await c.kubectl(["get", "svc", name])).stderr, /not found/);
    const edited = await c.kubectlOk(["patch", "svc", "web", "--type=merge", "-p", '{"spec":{"sessionAffinity":"ClientIP"}}']);
    assert.match(edited, /service\/web patched/);
    assert.equal(await c.kubectlOk(["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"]), ip);
  });

  test("Roles and bindings are listed; Deployments stay unserved", async () => {
    await c.kubectlOk(["create", "role", "pod-reader", "--verb=get,list", "--resource=pods"]);
    await c.kubectlOk(["create", "rolebinding", "read-pods", "--role=pod-reader", "--user=alice"]);
    assert.match(await c.kubectlOk(["get", "rolebinding", "read-pods"]), /^read-pods\s+Role\/pod-reader\s+\d+s$/m);
    assert.match(await c.kubectlOk(["get", "clusterroles"]), /^cluster-admin\s+\d{4}-/m);
    // As upstream: verbs are open-ended (custom verbs such as `use` or `approve`), kubectl only warns.
    const unknownVerb = await c.kubectl(["create", "role", "odd", "--verb=frobnicate", "--resource=pods"]);
    assert.match(unknownVerb.stderr, /Warning: 'frobnicate' is not a standard resource verb/);
    const noVerbs = await c.kubectl(["create", "-f", "-"], "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: empty\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: []\n");
    assert.match(noVerbs.stderr, /rules\[0\]\.verbs: Required value: verbs must contain at least one value/);
    assert.match((await c.kubectl(["get", "role", "empty"])).stderr, /not found/);
    const deploy = await c.kubectl(["create", "deployment", "web", "--image=nginx"]);
    assert.notEqual(deploy.code, 0);
    assert.match(deploy.stderr, /no matches for kind "Deployment" in version "apps\/v1"|the server could not find the requested resource/);
  });
});
