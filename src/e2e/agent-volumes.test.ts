import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { until, type TestCluster } from "./harness.js";
import { loopbackAgentArgs, startAgent, stopAgents, type TestAgent } from "./agent-harness.js";
import { startTestCluster } from "./harness.js";

/** A DaemonSet whose process prints what its ConfigMap, Secret, downward API and token volumes hold, every 0.5 s. */
function filesDaemonSet(mnt: string): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: files
spec:
  selector:
    matchLabels: {app: files}
  template:
    metadata:
      labels: {app: files, tier: demo}
    spec:
      containers:
      - name: show
        image: busybox
        command: ["sh", "-c", "while true; do echo \\"greeting=$(cat ${mnt}/app/greeting) password=$(cat ${mnt}/secret/pw) pod=$(cat ${mnt}/info/name) tier=$(cat ${mnt}/info/tier) tokenbytes=$(wc -c < ${mnt}/token/token) ca=$(wc -c < ${mnt}/token/ca.crt) ns=$(cat ${mnt}/token/namespace) sa=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace) level=$LEVEL\\"; sleep 0.5; done"]
        readinessProbe:
          exec: {command: ["test", "-s", "/var/run/secrets/kubernetes.io/serviceaccount/token"]}
          periodSeconds: 1
        env:
        - name: LEVEL
          valueFrom: {configMapKeyRef: {name: app-config, key: level}}
        volumeMounts:
        - {name: cfg, mountPath: ${mnt}/app}
        - {name: sec, mountPath: ${mnt}/secret}
        - {name: info, mountPath: ${mnt}/info}
        - {name: tok, mountPath: ${mnt}/token}
      volumes:
      - name: cfg
        configMap: {name: app-config}
      - name: sec
        secret:
          secretName: app-secret
          defaultMode: 0400
          items: [{key: password, path: pw}]
      - name: info
        downwardAPI:
          items:
          - {path: name, fieldRef: {fieldPath: metadata.name}}
          - {path: tier, fieldRef: {fieldPath: "metadata.labels['tier']"}}
      - name: tok
        projected:
          sources:
          - serviceAccountToken: {path: token, expirationSeconds: 3600}
          - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
          - downwardAPI: {items: [{path: namespace, fieldRef: {fieldPath: metadata.namespace}}]}
`;
}

function waitingPod(name: string, spec: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: vol-a
  containers:
  - name: main
    image: busybox
    command: ["sleep", "infinity"]
${spec}`;
}

describe("everynode agent: ConfigMap, Secret, downward API and token volumes as files", () => {
  let cluster: TestCluster;
  let agents: TestAgent[] = [];
  let mnt = "";

  before(async () => {
    cluster = await startTestCluster({ nodeMonitorGracePeriodMs: 4000 });
    mnt = join(cluster.home, "mnt");
    agents = [await startAgent(cluster, "vol-a", { args: [...loopbackAgentArgs, "--sync-frequency", "2"] })];
  });
  after(async () => { await stopAgents(agents); await cluster.stop(); });

  const podOf = async (selector: string): Promise<{ name: string; uid: string }> => {
    const list = JSON.parse(await cluster.kubectlOk(["get", "pods", "-l", selector, "-o", "json"])) as { items: { metadata: { name: string; uid: string } }[] };
    const p = list.items[0];
    assert.ok(p, `a pod with ${selector}`);
    return { name: p.metadata.name, uid: p.metadata.uid };
  };
  const logs = async (pod: string): Promise<string> => (await cluster.kubectl(["logs", pod, "--tail", "3"])).stdout;
  const waiting = async (pod: string): Promise<string> =>
    cluster.kubectlOk(["get", "pod", pod, "-o", "jsonpath={.status.phase}/{.status.containerStatuses[0].state.waiting.reason}/{.status.containerStatuses[0].state.waiting.message}"]);

  test("the process reads its ConfigMap, Secret, downward API and projected token files; updates arrive atomically", async () => {
    await cluster.kubectlOk(["create", "configmap", "app-config", "--from-literal=greeting=hello", "--from-literal=level=debug"]);
    await cluster.kubectlOk(["create", "secret", "generic", "app-secret", "--from-literal=password=s3cret"]);
    await cluster.kubectlOk(["apply", "-f", "-"], filesDaemonSet(mnt));
    await until(async () => (await cluster.kubectlOk(["get", "ds", "files", "-o", "jsonpath={.status.numberReady}"])) === "1", "files ready", 30_000);
    const pod = await podOf("app=files");
    await until(async () => /greeting=hello /.test(await logs(pod.name)), "the ConfigMap's value in the logs");
    const line = (await logs(pod.name)).trim().split("\n").pop() ?? "";
    assert.match(line, new RegExp(`^greeting=hello password=s3cret pod=${pod.name} tier=demo tokenbytes=\\d{3,} ca=\\d{3,} ns=default sa=default level=debug$`));

    const volumes = join(agents[0]?.dataDir ?? "", "pods", pod.uid, "volumes");
    const secretDir = join(volumes, "sec");
    const dataLink = (await readdir(secretDir)).filter((n) => n.startsWith(".."));
    assert.ok(dataLink.includes("..data"), "the kubelet's ..data layout");
    const token = (await readFile(join(volumes, "tok", "token"), "utf8")).trim();
    const whoami = await cluster.kubectlOk(["--token", token, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    assert.equal(whoami, "system:serviceaccount:default:default", "the mounted token authenticates as the pod's ServiceAccount");
    const denied = await cluster.kubectl(["--token", token, "get", "nodes"]);
    assert.match(denied.stderr, /cannot list resource "nodes"/);

    const changed = await cluster.kubectlOk(["create", "configmap", "app-config", "--from-literal=greeting=bonjour", "--from-literal=level=debug", "--dry-run=client", "-o", "yaml"]);
    await cluster.kubectlOk(["apply", "-f", "-"], changed);
    await until(async () => /greeting=bonjour /.test(await logs(pod.name)), "the changed ConfigMap in the file", 20_000);
    await cluster.kubectlOk(["label", "pod", pod.name, "tier=changed", "--overwrite"]);
    await until(async () => / tier=changed /.test(await logs(pod.name)), "the downward API file follows the pod's labels", 20_000);
  });

  test("kubectl in a pod uses the in-cluster configuration: the mounted token, CA and KUBERNETES_SERVICE_HOST; service links", async () => {
    await cluster.kubectlOk(["create", "service", "clusterip", "web", "--tcp=8080:80"]);
    await cluster.kubectlOk(["apply", "-f", "-"], `apiVersion: v1
kind: Pod
metadata:
  name: in-cluster
spec:
  nodeName: vol-a
  restartPolicy: Never
  containers:
  - name: whoami
    image: bitnami/kubectl
    command: ["sh", "-c", "echo web=$WEB_SERVICE_PORT_8080_80; /usr/bin/kubectl auth whoami -o jsonpath={.status.userInfo.username}"]
    env:
    - {name: HOME, value: ${join(cluster.home, "in-cluster-home")}}
`);
    await until(async () => (await cluster.kubectlOk(["get", "pod", "in-cluster", "-o", "jsonpath={.status.phase}"])) === "Succeeded", "in-cluster Succeeded", 30_000);
    assert.equal((await cluster.kubectlOk(["logs", "in-cluster"])).trim(), "web=8080\nsystem:serviceaccount:default:default");
  });

  test("a pod mounting a missing ConfigMap waits in ContainerCreating with FailedMount, then runs once it exists", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], waitingPod("late-mount", `    volumeMounts: [{name: cfg, mountPath: ${mnt}/late}]
  volumes:
  - name: cfg
    configMap: {name: late-config}
`));
    await until(async () => (await cluster.kubectl(["get", "events", "--field-selector", "involvedObject.name=late-mount,reason=FailedMount", "-o", "name"])).stdout.trim() !== "", "FailedMount event");
    assert.equal(await waiting("late-mount"), "Pending/ContainerCreating/");
    const described = await cluster.kubectlOk(["describe", "pod", "late-mount"]);
    assert.match(described, /FailedMount .*MountVolume\.SetUp failed for volume "cfg" : configmap "late-config" not found/);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await waiting("late-mount"), "Pending/ContainerCreating/", "never started while the ConfigMap is missing");
    await cluster.kubectlOk(["create", "configmap", "late-config", "--from-literal=a=b"]);
    await until(async () => (await waiting("late-mount")).startsWith("Running/"), "late-mount Running", 30_000);
  });

  test("a missing environment source is CreateContainerConfigError until the Secret exists", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], waitingPod("late-env", `    env:
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: late-secret, key: token}}
    - name: OPTIONAL
      valueFrom: {configMapKeyRef: {name: nowhere, key: k, optional: true}}
`));
    await until(async () => (await waiting("late-env")) === 'Pending/CreateContainerConfigError/secret "late-secret" not found', "CreateContainerConfigError");
    const described = await cluster.kubectlOk(["describe", "pod", "late-env"]);
    assert.match(described, /Failed .*Error: secret "late-secret" not found/);
    await cluster.kubectlOk(["create", "secret", "generic", "late-secret", "--from-literal=token=t"]);
    await until(async () => (await waiting("late-env")).startsWith("Running/"), "late-env Running", 30_000);
  });

  test("the node may read only what its pods reference", async () => {
    const nodeKubeconfig = join(cluster.home, "vol-a.kubeconfig");
    const asNode = (args: string[]): ReturnType<TestCluster["kubectl"]> => cluster.kubectl(["--kubeconfig", nodeKubeconfig, ...args]);
    assert.equal((await asNode(["get", "configmap", "app-config", "-o", "name"])).stdout.trim(), "configmap/app-config");
    await cluster.kubectlOk(["create", "secret", "generic", "unrelated", "--from-literal=x=y"]);
    const denied = await asNode(["get", "secret", "unrelated"]);
    assert.match(denied.stderr, /secrets "unrelated" is forbidden: User "system:node:vol-a" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'vol-a' and this object/);
  });
});
