/** Object builders for DaemonSet controller tests. */
import type { ControllerRevision, DaemonSet, DaemonSetUpdateStrategy, Node, Pod, Taint } from "../../../api/types.js";

/** A node with labels and taints. */
export function makeNode(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  const node: Node = { apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name, ...labels } }, spec: {} };
  if (taints.length > 0 && node.spec) node.spec.taints = taints;
  return node;
}

/** Options of makeDaemonSet. */
export interface DaemonSetFixture {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  image?: string;
  nodeSelector?: Record<string, string>;
  strategy?: DaemonSetUpdateStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  generation?: number;
  templateGeneration?: number;
}

/** A DaemonSet selecting `app=<name>` with one container. */
export function makeDaemonSet(f: DaemonSetFixture = {}): DaemonSet {
  const name = f.name ?? "ds";
  const labels = f.labels ?? { app: name };
  const ds: DaemonSet = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: f.namespace ?? "default", uid: f.uid, generation: f.generation },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "main", image: f.image ?? "nginx:1.25" }] },
      },
    },
  };
  const meta = ds.metadata ?? {};
  const spec = ds.spec;
  if (f.templateGeneration !== undefined) meta.annotations = { "deprecated.daemonset.template.generation": String(f.templateGeneration) };
  if (spec) {
    if (f.nodeSelector && spec.template.spec) spec.template.spec.nodeSelector = f.nodeSelector;
    if (f.strategy) spec.updateStrategy = f.strategy;
    if (f.minReadySeconds !== undefined) spec.minReadySeconds = f.minReadySeconds;
    if (f.revisionHistoryLimit !== undefined) spec.revisionHistoryLimit = f.revisionHistoryLimit;
  }
  return ds;
}

/** Options of makePod. */
export interface PodFixture {
  name: string;
  node?: string;
  /** Target node through required node affinity (unbound pods). */
  target?: string;
  hash?: string;
  ownerUid?: string;
  phase?: string;
  ready?: boolean;
  /** Epoch ms of the Ready transition. */
  readySince?: number;
  created?: number;
  deleting?: boolean;
  labels?: Record<string, string>;
}

/** A daemon pod as the controller would have created it, possibly bound and Ready. */
export function makePod(f: PodFixture): Pod {
  const labels: Record<string, string> = { app: "ds", ...(f.labels ?? {}) };
  if (f.hash) labels["controller-revision-hash"] = f.hash;
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: f.name,
      namespace: "default",
      uid: `uid-${f.name}`,
      labels,
      creationTimestamp: new Date(f.created ?? 0).toISOString(),
      deletionTimestamp: f.deleting ? new Date(0).toISOString() : undefined,
    },
    spec: { containers: [{ name: "main", image: "x" }] },
    status: { phase: f.phase ?? "Running" },
  };
  const meta = pod.metadata ?? {};
  if (f.ownerUid) meta.ownerReferences = [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: f.ownerUid, controller: true, blockOwnerDeletion: true }];
  if (pod.spec && f.node) pod.spec.nodeName = f.node;
  const target = f.target ?? f.node;
  if (pod.spec && target) {
    pod.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [target] }] }] } } };
  }
  if (f.ready && pod.status) {
    pod.status.conditions = [{ type: "Ready", status: "True", lastTransitionTime: new Date(f.readySince ?? 0).toISOString() }];
  }
  return pod;
}

/** A revision with a number, hash label and data. */
export function makeRevision(name: string, revision: number, hash: string | undefined, data: unknown = {}, ownerUid?: string): ControllerRevision {
  const cr: ControllerRevision = { apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name, namespace: "default", labels: { app: "ds" } }, revision, data: data as ControllerRevision["data"] };
  const meta = cr.metadata ?? {};
  if (hash !== undefined) meta.labels = { ...meta.labels, "controller-revision-hash": hash };
  if (ownerUid) meta.ownerReferences = [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: ownerUid, controller: true }];
  return cr;
}

/** Groups pods by the node they target (test helper). */
export function byNode(entries: Record<string, Pod[]>): Map<string, Pod[]> {
  return new Map(Object.entries(entries));
}
