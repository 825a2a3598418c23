import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { findResource, type ResourceInfo } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { Node, Pod } from "../../api/types.js";
import type { Client, PatchOptions, PatchType } from "../../client/client.js";
import { createLoopbackClient } from "../../client/loopback.js";
import { MemoryBackend } from "../../storage/memory-backend.js";
import { ensureNamespaces, Registry } from "../registry/index.js";
import { forbiddenNodeLabels, podReferences } from "./authz-node-rules.js";
import { nodeRestrictedClient } from "./authz-node-restriction.js";

function must(group: string, name: string): ResourceInfo {
  const r = findResource(group, name);
  assert.ok(r);
  return r;
}
const nodes = must("", "nodes");
const pods = must("", "pods");

async function forbidden(work: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(work, (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 403);
    assert.equal(err.message, message);
    return true;
  });
}

describe("NodeRestriction client", () => {
  const backend = new MemoryBackend();
  const registry = new Registry({ backend });
  const abort = new AbortController();
  let admin: Client;
  let node1: Client;
  let nodeUid = "";

  before(async () => {
    await registry.start(abort.signal);
    admin = createLoopbackClient(registry);
    await ensureNamespaces(admin);
    node1 = nodeRestrictedClient(admin, "node-1");
    const created = await admin.create<Node>(nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } });
    nodeUid = created.metadata?.uid ?? "";
    await admin.create<Pod>(pods, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "theirs" }, spec: { nodeName: "node-2", containers: [{ name: "c", image: "i" }] } });
  });
  after(async () => {
    abort.abort();
    registry.close();
    await backend.close();
  });

  const mirror = (patch: { meta?: Record<string, unknown>; spec?: Record<string, unknown> } = {}): Pod => ({
    apiVersion: "v1", kind: "Pod",
    metadata: {
      name: "static-web", annotations: { "kubernetes.io/config.mirror": "hash" },
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "node-1", uid: nodeUid, controller: true }],
      ...patch.meta,
    },
    spec: { nodeName: "node-1", containers: [{ name: "c", image: "i" }], ...patch.spec },
  });

  test("mirror pods: only bound to itself, owned by its Node, referencing nothing", async () => {
    const n = 'node "node-1"';
    const cases: [Pod, string][] = [
      [mirror({ meta: { annotations: {} } }), `pod does not have "kubernetes.io/config.mirror" annotation, ${n} can only create mirror pods`],
      [mirror({ spec: { nodeName: "node-2" } }), `${n} can only create pods with spec.nodeName set to itself`],
      [mirror({ meta: { ownerReferences: [] } }), `${n} can only create pods with an owner reference set to itself`],
      [mirror({ meta: { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "node-2", uid: "u" }] } }), `${n} can only create pods with an owner reference set to itself`],
      [mirror({ meta: { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "node-1", uid: nodeUid }, { apiVersion: "v1", kind: "Node", name: "node-1", uid: "x" }] } }), `${n} can only create pods with a single owner reference set to itself`],
      [mirror({ meta: { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "node-1", uid: nodeUid }] } }), `${n} can only create pods with a controller owner reference set to itself`],
      [mirror({ meta: { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "node-1", uid: nodeUid, controller: true, blockOwnerDeletion: true }] } }), `${n} must not set blockOwnerDeletion on an owner reference`],
      [mirror({ meta: { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "node-1", uid: "other", controller: true }] } }), `node node-1 UID mismatch: expected other got ${nodeUid}`],
      [mirror({ spec: { serviceAccountName: "sa" } }), `${n} can not create pods that reference a service account`],
      [mirror({ spec: { volumes: [{ name: "v", secret: { secretName: "s" } }] } }), `${n} can not create pods that reference secrets`],
      [mirror({ spec: { volumes: [{ name: "v", configMap: { name: "c" } }] } }), `${n} can not create pods that reference configmaps`],
    ];
    for (const [pod, why] of cases) await forbidden(node1.create(pods, "default", pod), `pods "static-web" is forbidden: ${why}`);
    const created = await node1.create<Pod>(pods, "default", mirror());
    assert.equal(created.spec?.nodeName, "node-1");
    await node1.delete(pods, "default", "static-web");
  });

  test("pods: no updates of the main resource, no other subresources, evictions of bound pods only", async () => {
    await forbidden(node1.patch(pods, "default", "theirs", "merge", { metadata: { labels: { a: "b" } } }),
      'pods "theirs" is forbidden: unexpected operation "UPDATE", node "node-1" can only create and delete mirror pods');
    await forbidden(node1.createSubresource(pods, "default", "theirs", "binding", { apiVersion: "v1", kind: "Binding" }),
      'pods "theirs" is forbidden: unexpected pod subresource "binding", only \'status\' and \'eviction\' are allowed');
    await forbidden(node1.createSubresource(pods, "default", "theirs", "eviction", { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "theirs" } }),
      'pods "theirs" is forbidden: node node-1 can only evict pods with spec.nodeName set to itself');
    await forbidden(node1.deleteCollection(pods, "default"), 'pods "Unknown" is forbidden: unexpected operation "DELETE", node "node-1" can only create and delete mirror pods');
  });

  test("a concurrent change between admitting and writing a Node patch answers 409, not a silent write", async () => {
    // The wrapped client changes the node's taints right after the dry run the check is made on.
    const racing: Client = Object.create(admin) as Client;
    racing.patch = async <T,>(resource: ResourceInfo, ns: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<T> => {
      const result = await admin.patch(resource, ns, name, type, patch, options);
      if (options?.dryRun) await admin.patch(nodes, undefined, "node-1", "merge", { spec: { taints: [{ key: "race", effect: "NoSchedule" }] } });
      return result as T;
    };
    await assert.rejects(nodeRestrictedClient(racing, "node-1").patch(nodes, undefined, "node-1", "merge", { metadata: { labels: { a: "b" } } }),
      (err: unknown) => err instanceof StatusError && err.code === 409);
    const stored = await admin.get<Node>(nodes, undefined, "node-1");
    assert.equal(stored.metadata?.labels?.a, undefined);
    assert.deepEqual(stored.spec?.taints?.map((t) => t.key), ["race"]);
  });

  test("server-side apply may create its own Node, with allowed labels only", async () => {
    const apply = (name: string, labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels } });
    const other = nodeRestrictedClient(admin, "node-9");
    await forbidden(other.patch(nodes, undefined, "node-9", "apply", apply("node-9", { "kubernetes.io/role": "x" }), { fieldManager: "kubelet" }),
      'nodes "node-9" is forbidden: node "node-9" is not allowed to set the following labels: kubernetes.io/role');
    const created = await other.patch<Node>(nodes, undefined, "node-9", "apply", apply("node-9", { "kubernetes.io/hostname": "node-9" }), { fieldManager: "kubelet" });
    assert.equal(created.metadata?.labels?.["kubernetes.io/hostname"], "node-9");
  });

  test("its own Node's ownerReferences: neither set on create nor changed by update, patch or apply", async () => {
    const owner = [{ apiVersion: "v1", kind: "Node", name: "gone", uid: "00000000-0000-0000-0000-000000000000" }];
    const message = 'nodes "node-1" is forbidden: node "node-1" is not allowed to modify ownerReferences';
    await forbidden(node1.patch(nodes, undefined, "node-1", "merge", { metadata: { ownerReferences: owner } }), message);
    await forbidden(node1.patch(nodes, undefined, "node-1", "apply", { apiVersion: "v1", kind: "Node", metadata: { name: "node-1", ownerReferences: owner } }, { fieldManager: "kubelet" }), message);
    const current = await admin.get<Node>(nodes, undefined, "node-1");
    await forbidden(node1.update(nodes, undefined, { ...current, metadata: { ...current.metadata, ownerReferences: owner } }), message);
    // The status subresource never changes metadata.
    await node1.patch(nodes, undefined, "node-1", "merge", { metadata: { ownerReferences: owner }, status: { phase: "Running" } }, { subresource: "status" });
    assert.equal((await admin.get<Node>(nodes, undefined, "node-1")).metadata?.ownerReferences, undefined);
    await forbidden(nodeRestrictedClient(admin, "node-8").create(nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "node-8", ownerReferences: owner } }),
      'nodes "node-8" is forbidden: node "node-8" is not allowed to set ownerReferences');
  });
});

describe("forbiddenNodeLabels", () => {
  const cases: [Record<string, string> | undefined, Record<string, string> | undefined, string[]][] = [
    [{ a: "1", "example.com/b": "2" }, undefined, []],
    [{ "kubernetes.io/hostname": "n", "node.kubernetes.io/instance-type": "t", "x.kubelet.kubernetes.io/y": "1", "topology.kubernetes.io/zone": "z" }, undefined, []],
    [{ "node-role.kubernetes.io/master": "" }, undefined, ["node-role.kubernetes.io/master"]],
    [{ "node-restriction.kubernetes.io/a": "1", "x.node-restriction.kubernetes.io/b": "1" }, undefined, ["node-restriction.kubernetes.io/a", "x.node-restriction.kubernetes.io/b"]],
    [{ "foo.k8s.io/a": "1" }, undefined, ["foo.k8s.io/a"]],
    [{ "kubernetes.io/role": "x" }, { "kubernetes.io/role": "x" }, []],
    [{ "kubernetes.io/role": "y" }, { "kubernetes.io/role": "x" }, ["kubernetes.io/role"]],
    [{}, { "kubernetes.io/role": "x", a: "b" }, ["kubernetes.io/role"]],
  ];
  for (const [next, previous, want] of cases) {
    test(`${JSON.stringify(previous ?? null)} → ${JSON.stringify(next)}`, () => assert.deepEqual(forbiddenNodeLabels(next, previous), want));
  }
});

describe("podReferences", () => {
  const spec = (extra: Record<string, unknown>): Pod => ({ spec: { containers: [{ name: "c", image: "i" }], ...extra } });
  const cases: [Pod, string | undefined][] = [
    [spec({}), undefined],
    [spec({ imagePullSecrets: [{ name: "s" }] }), "secrets"],
    [spec({ containers: [{ name: "c", image: "i", env: [{ name: "e", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] }] }), "secrets"],
    [spec({ initContainers: [{ name: "c", image: "i", envFrom: [{ configMapRef: { name: "c" } }] }] }), "configmaps"],
    [spec({ volumes: [{ name: "v", projected: { sources: [{ configMap: { name: "c" } }] } }] }), "configmaps"],
    [spec({ volumes: [{ name: "v", projected: { sources: [{ clusterTrustBundle: { name: "b", path: "p" } }] } }] }), "clustertrustbundles"],
    [spec({ volumes: [{ name: "v", persistentVolumeClaim: { claimName: "c" } }] }), "persistentvolumeclaims"],
    [spec({ volumes: [{ name: "v", emptyDir: {} }] }), undefined],
  ];
  for (const [pod, want] of cases) test(JSON.stringify(pod.spec), () => assert.equal(podReferences(pod), want));
});
