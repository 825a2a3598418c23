/**
 * What one DaemonSet sync costs over N nodes: the controller's sync run against filled informer caches and a client
 * that answers at once, so the figure is the controller's own CPU per sync (the thing every pod event, node join and
 * rollout step pays), without the API, the store or the messaging.
 *
 * Usage: node dist/bench/daemonset-sync-bench.js [--nodes 10000] [--syncs 50]
 * Prints CPU milliseconds per sync for: a converged DaemonSet (status only, nothing written), a sync that creates one
 * pod (a node joined), and a rollout step (half the pods on the old template; maxUnavailable 10%).
 */
import { mustFindResource } from "../api/resources.js";
import type { ApiObject, ControllerRevision, DaemonSet, KubeList, KubeObject, Node, Pod } from "../api/types.js";
import { Indexer } from "../client/cache.js";
import type { Client } from "../client/client.js";
import { EventRecorder } from "../client/event-recorder.js";
import { ControllerExpectations } from "../controllers/daemonset/expectations.js";
import { FailedPodBackoff } from "../controllers/daemonset/failed-pod-backoff.js";
import { currentTemplateHash, newRevision } from "../controllers/daemonset/history.js";
import { byControllerUid, byOrphanNamespace, controllerUidIndex, orphanNamespaceIndex } from "../controllers/daemonset/indexes.js";
import { DaemonPlacement } from "../controllers/daemonset/placement.js";
import { daemonPodTemplate, podFromTemplate } from "../controllers/daemonset/pod-template.js";
import { SyncPacer } from "../controllers/daemonset/sync-pacer.js";
import { syncDaemonSet, type SyncDeps } from "../controllers/daemonset/sync.js";
import { labelSelectorFromObject } from "../api/label-selector.js";
import { realClock } from "../util/clock.js";
import { benchFlags, numberFlag, runBench } from "./bench-args.js";

const resources = {
  daemonSets: mustFindResource("apps", "daemonsets"),
  pods: mustFindResource("", "pods"),
  controllerRevisions: mustFindResource("apps", "controllerrevisions"),
};

/** A client whose writes succeed at once (echoing what they were given) and that counts them. */
class InstantClient implements Client {
  writes = 0;
  private next = 0;
  get<T>(): Promise<T> { return Promise.reject(new Error("get is not expected")); }
  list<T extends ApiObject>(): Promise<KubeList<T>> { return Promise.reject(new Error("list is not expected")); }
  watch(): AsyncIterable<never> { throw new Error("watch is not expected"); }
  create<T extends ApiObject>(_r: unknown, _ns: unknown, object: T): Promise<T> {
    this.writes++;
    const meta = object.metadata ?? {};
    return Promise.resolve({ ...object, metadata: { ...meta, name: meta.name ?? `${meta.generateName ?? ""}${this.next++}` } });
  }
  update<T>(_r: unknown, _ns: unknown, object: T): Promise<T> { this.writes++; return Promise.resolve(object); }
  updateStatus<T>(_r: unknown, _ns: unknown, object: T): Promise<T> { this.writes++; return Promise.resolve(object); }
  patch<T>(): Promise<T> { this.writes++; return Promise.resolve({} as T); }
  patchWithOutcome<T>(): Promise<{ object: T; created: boolean }> { this.writes++; return Promise.resolve({ object: {} as T, created: false }); }
  delete(): Promise<KubeObject> { this.writes++; return Promise.resolve({}); }
  deleteCollection(): Promise<KubeList> { return Promise.reject(new Error("deleteCollection is not expected")); }
  createSubresource(): Promise<KubeObject> { this.writes++; return Promise.resolve({}); }
}

function daemonSet(image: string, generation: number): DaemonSet {
  return {
    apiVersion: "apps/v1", kind: "DaemonSet",
    metadata: {
      name: "agent", namespace: "bench", uid: "ds-uid", generation,
      annotations: { "deprecated.daemonset.template.generation": String(generation) },
    },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "agent", image, resources: { requests: { cpu: "10m" } } }] } },
    },
  };
}

function node(i: number): Node {
  const name = `node-${i}`;
  return {
    apiVersion: "v1", kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux" }, annotations: { "everynode.dev/simulated": "true" } },
    spec: { podCIDR: `10.${i >> 8}.${i & 255}.0/24` },
    status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" }] },
  };
}

/** A bound, Ready daemon pod of `ds` (template generation `generation`) on node i. */
function pod(ds: DaemonSet, hash: string, generation: number, i: number): Pod {
  const p = podFromTemplate(ds, daemonPodTemplate(ds, hash, generation), `node-${i}`);
  const metadata = { ...p.metadata, name: `agent-${generation}-${i}`, uid: `pod-${generation}-${i}`, resourceVersion: String(i + 10), creationTimestamp: "2026-01-01T00:00:00Z" };
  if (p.spec) p.spec.nodeName = `node-${i}`;
  return { ...p, metadata, status: {
    phase: "Running", podIP: `10.0.${i >> 8}.${i & 255}`,
    conditions: [
      { type: "PodScheduled", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" },
      { type: "Initialized", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" },
      { type: "ContainersReady", status: "True", lastTransitionTime: "2026-01-01T00:00:01Z" },
      { type: "Ready", status: "True", lastTransitionTime: "2026-01-01T00:00:01Z" },
    ],
    containerStatuses: [{ name: "agent", ready: true, restartCount: 0, image: "x", imageID: "", state: { running: { startedAt: "2026-01-01T00:00:01Z" } } }],
  } };
}

interface Scenario { name: string; deps: SyncDeps; client: InstantClient; reset: () => void }

function scenario(name: string, nodes: number, opts: { oldPods: number; missing: number }): Scenario {
  const current = daemonSet("agent:2", 2);
  const old = daemonSet("agent:1", 1);
  const hash = currentTemplateHash(current);
  const oldHash = currentTemplateHash(old);
  const dsStore = new Indexer<DaemonSet>();
  const pods = new Indexer<Pod>({ [controllerUidIndex]: byControllerUid, [orphanNamespaceIndex]: byOrphanNamespace });
  const nodeStore = new Indexer<Node>();
  const revisions = new Indexer<ControllerRevision>({ [controllerUidIndex]: byControllerUid, [orphanNamespaceIndex]: byOrphanNamespace });
  revisions.add({ ...newRevision(old, oldHash, 1), metadata: { ...newRevision(old, oldHash, 1).metadata, uid: "r1", annotations: { "rollout.everynode.dev/completed": "true" } } });
  revisions.add({ ...newRevision(current, hash, 2), metadata: { ...newRevision(current, hash, 2).metadata, uid: "r2" } });
  for (let i = 0; i < nodes; i++) {
    nodeStore.add(JSON.parse(JSON.stringify(node(i))) as Node);
    if (i < opts.missing) continue;
    // Decoded from JSON, as the informers hold them.
    pods.add(JSON.parse(JSON.stringify(i < opts.missing + opts.oldPods ? pod(old, oldHash, 1, i) : pod(current, hash, 2, i))) as Pod);
  }
  const desired = nodes;
  const updated = nodes - opts.oldPods - opts.missing;
  const scheduled = nodes - opts.missing;
  const client = new InstantClient();
  const clock = realClock();
  const expectations = new ControllerExpectations(clock);
  const compiled = { placement: new DaemonPlacement(current), selector: labelSelectorFromObject(current.spec?.selector) };
  const withStatus: DaemonSet = {
    ...current,
    status: {
      desiredNumberScheduled: desired, currentNumberScheduled: scheduled, numberMisscheduled: 0, numberReady: scheduled,
      updatedNumberScheduled: updated, numberAvailable: scheduled, numberUnavailable: desired - scheduled, observedGeneration: 2,
    },
  };
  dsStore.add(withStatus);
  const deps: SyncDeps = {
    client, resources, daemonSets: dsStore, pods, nodes: nodeStore, revisions,
    recorder: new EventRecorder({ client, component: "bench", maxPending: 0 }),
    expectations, backoff: new FailedPodBackoff(clock), burstReplicas: undefined, clock, now: Date.now,
    enqueueAfter: () => {}, compile: () => compiled, pacer: new SyncPacer(0, 0),
  };
  return { name, deps, client, reset: () => expectations.delete("bench/agent") };
}

async function measure(s: Scenario, syncs: number): Promise<{ ms: number; writes: number }> {
  for (let i = 0; i < 3; i++) {
    s.reset();
    await syncDaemonSet(s.deps, "bench/agent");
  }
  s.client.writes = 0;
  // CPU time rather than wall time: on a shared machine the latter mostly measures the other jobs.
  const t0 = process.cpuUsage();
  for (let i = 0; i < syncs; i++) {
    s.reset();
    await syncDaemonSet(s.deps, "bench/agent");
  }
  const used = process.cpuUsage(t0);
  return { ms: (used.user + used.system) / 1000 / syncs, writes: s.client.writes / syncs };
}

async function main(argv: string[]): Promise<void> {
  const flags = benchFlags(argv, ["nodes", "syncs"]);
  const nodes = numberFlag(flags, "nodes", 10_000);
  const syncs = numberFlag(flags, "syncs", 50);
  const scenarios = [
    scenario("converged (status only)", nodes, { oldPods: 0, missing: 0 }),
    scenario("one node without its pod", nodes, { oldPods: 0, missing: 1 }),
    scenario("rollout step (half old)", nodes, { oldPods: Math.floor(nodes / 2), missing: 0 }),
  ];
  console.log(`DaemonSet sync over ${nodes} nodes, ${syncs} syncs each`);
  for (const s of scenarios) {
    const { ms, writes } = await measure(s, syncs);
    console.log(`${s.name.padEnd(28)} ${ms.toFixed(2).padStart(8)} ms CPU/sync  ${writes.toFixed(0)} writes/sync`);
  }
}

await runBench(() => main(process.argv.slice(2)));
