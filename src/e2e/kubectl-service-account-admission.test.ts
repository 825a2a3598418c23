import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { readFile } from "node:fs/promises";
import { eventually, startTestCluster, type TestCluster } from "./harness.js";

function podManifest(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "apps" }, spec: { containers: [{ name: "c", image: "nginx" }], ...extra } });
}

describe("ServiceAccount admission; default ServiceAccount and kube-root-ca.crt in every namespace", () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ nodes: 0 });
    await c.kubectlOk(["create", "namespace", "apps"]);
  });
  after(async () => { await c.stop(); });

  test("a pod naming no ServiceAccount runs as default; a missing one is refused and nothing is stored", async () => {
    await c.kubectlOk(["create", "-f", "-"], podManifest("plain"));
    assert.equal(await c.kubectlOk(["get", "pod", "plain", "-n", "apps", "-o", "jsonpath={.spec.serviceAccountName}/{.spec.serviceAccount}"]), "default/default");
    const ghost = await c.kubectl(["create", "-f", "-"], podManifest("ghost-pod", { serviceAccountName: "ghost" }));
    assert.notEqual(ghost.code, 0);
    assert.equal(ghost.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "ghost-pod" is forbidden: error looking up service account apps/ghost: serviceaccount "ghost" not found');
    assert.match((await c.kubectl(["get", "pod", "ghost-pod", "-n", "apps"])).stderr, /NotFound/);
    await c.kubectlOk(["create", "serviceaccount", "ghost", "-n", "apps"]);
    await c.kubectlOk(["create", "-f", "-"], podManifest("ghost-pod", { serviceAccountName: "ghost" }));
  });

  test("the kube-api-access volume is mounted into every container, unless automount is off or the path is taken", async () => {
    const spec = async (name: string): Promise<{ volumes?: { name: string; projected?: unknown }[]; containers: { volumeMounts?: unknown[] }[]; initContainers?: { volumeMounts?: unknown[] }[]; imagePullSecrets?: unknown[] }> =>
      (JSON.parse(await c.kubectlOk(["get", "pod", name, "-n", "apps", "-o", "json"])) as { spec: never }).spec;
    await c.kubectlOk(["create", "-f", "-"], podManifest("mounted", { initContainers: [{ name: "i", image: "busybox" }], containers: [{ name: "a", image: "nginx" }, { name: "b", image: "nginx", volumeMounts: [{ name: "own", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" }] }], volumes: [{ name: "own", emptyDir: {} }] }));
    const s = await spec("mounted");
    const access = s.volumes?.find((v) => v.name.startsWith("kube-api-access-"));
    assert.match(access?.name ?? "", /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(access?.projected, {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    });
    const mount = { name: access?.name, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" };
    assert.deepEqual(s.initContainers?.[0]?.volumeMounts, [mount]);
    assert.deepEqual(s.containers[0]?.volumeMounts, [mount]);
    assert.deepEqual(s.containers[1]?.volumeMounts, [{ name: "own", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" }], "an existing mount at the path wins");
    await c.kubectlOk(["create", "-f", "-"], podManifest("no-mount", { automountServiceAccountToken: false }));
    assert.equal((await spec("no-mount")).volumes, undefined);
    await c.kubectlOk(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "quiet", namespace: "apps" }, automountServiceAccountToken: false, imagePullSecrets: [{ name: "registry" }] }));
    await c.kubectlOk(["create", "-f", "-"], podManifest("quiet-pod", { serviceAccountName: "quiet" }));
    const quiet = await spec("quiet-pod");
    assert.equal(quiet.volumes, undefined, "the ServiceAccount's automountServiceAccountToken: false");
    assert.deepEqual(quiet.imagePullSecrets, [{ name: "registry" }], "image pull secrets copied from the ServiceAccount");
    await c.kubectlOk(["create", "-f", "-"], podManifest("loud-pod", { serviceAccountName: "quiet", automountServiceAccountToken: true, imagePullSecrets: [{ name: "mine" }] }));
    const loud = await spec("loud-pod");
    assert.equal(loud.volumes?.length, 1, "the pod's preference wins");
    assert.deepEqual(loud.imagePullSecrets, [{ name: "mine" }]);
  });

  test("kube-system pods of a DaemonSet naming no ServiceAccount are created", async () => {
    await c.kubectlOk(["create", "-f", "-"], JSON.stringify({
      apiVersion: "v1", kind: "Pod", metadata: { name: "sys", namespace: "kube-system" }, spec: { containers: [{ name: "c", image: "nginx" }] },
    }));
    assert.equal(await c.kubectlOk(["get", "pod", "sys", "-n", "kube-system", "-o", "jsonpath={.spec.serviceAccountName}"]), "default");
  });

  test("a legacy token Secret gets its token, which authenticates while the Secret exists", async () => {
    await c.kubectlOk(["create", "serviceaccount", "legacy", "-n", "apps"]);
    await c.kubectlOk(["create", "-f", "-"], JSON.stringify({
      apiVersion: "v1", kind: "Secret", metadata: { name: "legacy-token", namespace: "apps", annotations: { "kubernetes.io/service-account.name": "legacy" } },
      type: "kubernetes.io/service-account-token",
    }));
    const token = await eventually(async () => {
      const data = await c.kubectlOk(["get", "secret", "legacy-token", "-n", "apps", "-o", "jsonpath={.data.token}"]);
      if (data === "") throw new Error("no token yet");
      return Buffer.from(data, "base64").toString("utf8");
    });
    assert.equal(Buffer.from(await c.kubectlOk(["get", "secret", "legacy-token", "-n", "apps", "-o", "jsonpath={.data.namespace}"]), "base64").toString(), "apps");
    const uid = await c.kubectlOk(["get", "sa", "legacy", "-n", "apps", "-o", "jsonpath={.metadata.uid}"]);
    assert.equal(await c.kubectlOk(["get", "secret", "legacy-token", "-n", "apps", "-o", "jsonpath={.metadata.annotations.kubernetes\\.io/service-account\\.uid}"]), uid);
    const who = await c.kubectl([`--token=${token}`, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    assert.equal(who.stdout, "system:serviceaccount:apps:legacy", who.stderr);
    await c.kubectlOk(["delete", "secret", "legacy-token", "-n", "apps"]);
    assert.equal((await c.kubectl([`--token=${token}`, "get", "pods", "-n", "apps"])).stderr.trim(), "error: You must be logged in to the server (Unauthorized)");
    await c.kubectlOk(["create", "-f", "-"], JSON.stringify({
      apiVersion: "v1", kind: "Secret", metadata: { name: "orphan-token", namespace: "apps", annotations: { "kubernetes.io/service-account.name": "nobody" } },
      type: "kubernetes.io/service-account-token",
    }));
    await eventually(async () => {
      if ((await c.kubectl(["get", "secret", "orphan-token", "-n", "apps"])).code === 0) throw new Error("the token Secret of a missing ServiceAccount is still there");
    });
  });

  test("every namespace has the default ServiceAccount and kube-root-ca.crt with the cluster CA; both come back when deleted", async () => {
    const kubeconfig = parse(await readFile(c.kubeconfigPath, "utf8")) as { clusters: { cluster: { "certificate-authority-data": string } }[] };
    const ca = Buffer.from(kubeconfig.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64").toString("utf8");
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease", "apps"]) {
      assert.equal((await c.kubectl(["get", "sa", "default", "-n", ns])).code, 0, ns);
      assert.equal(await c.kubectlOk(["get", "cm", "kube-root-ca.crt", "-n", ns, "-o", "jsonpath={.data.ca\\.crt}"]), ca, ns);
    }
    const uid = await c.kubectlOk(["get", "sa", "default", "-n", "apps", "-o", "jsonpath={.metadata.uid}"]);
    await c.kubectlOk(["delete", "sa", "default", "-n", "apps"]);
    await c.kubectlOk(["delete", "cm", "kube-root-ca.crt", "-n", "apps"]);
    await eventually(async () => {
      const now = await c.kubectl(["get", "sa", "default", "-n", "apps", "-o", "jsonpath={.metadata.uid}"]);
      if (now.code !== 0 || now.stdout === uid) throw new Error("not recreated yet");
    });
    await eventually(async () => { await c.kubectlOk(["get", "cm", "kube-root-ca.crt", "-n", "apps"]); });
    await c.kubectlOk(["patch", "cm", "kube-root-ca.crt", "-n", "apps", "--type=merge", "-p", '{"data":{"ca.crt":"tampered"}}']);
    await eventually(async () => {
      if (await c.kubectlOk(["get", "cm", "kube-root-ca.crt", "-n", "apps", "-o", "jsonpath={.data.ca\\.crt}"]) !== ca) throw new Error("not restored yet");
    });
  });
});
