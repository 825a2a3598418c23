/** An in-process cluster for DaemonSet controller tests: the shared control-loop cluster + controller, with a scripted kubelet. */
import { setTimeout as delay } from "node:timers/promises";
import { StatusError } from "../../../api/status-error.js";
import type { ControllerRevision, CoreEvent, DaemonSet, Node, Pod, Taint } from "../../../api/types.js";
import { systemNamespaces } from "../../../apiserver/registry/index.js";
import type { Client } from "../../../client/client.js";
import { rfc3339 } from "../../../client/event-recorder.js";
import { podTargetNodeName } from "../../../api/node-affinity.js";
import type { FakeClock } from "../../../util/clock.js";
import { R as served, startTestCluster, type TestCluster as ControlLoopTestCluster } from "../../../controller/testing/cluster.js";
import { DaemonSetController } from "../daemonset-controller.js";
import { makeNode } from "./fixtures.js";

/** Resources used by the tests. */
export const R = {
  nodes: served.nodes,
  pods: served.pods,
  events: served.events,
  daemonSets: served.daemonsets,
  revisions: served.controllerrevisions,
};

/** Options of startCluster. */
export interface ClusterOptions {
  burstReplicas?: number;
  /** Decides whether the kubelet makes a bound pod Running+Ready (default: always). */
  readyWhen?: (pod: Pod) => boolean;
  /** Wraps the client the controller uses (e.g. to inject failures). */
  wrapClient?: (client: Client) => Client;
}

/** A running test cluster. */
export class TestCluster {
  /** Errors the controller reported. */
  readonly errors: unknown[] = [];
  /** Offset added to the wall clock the controller sees. */
  skewMs = 0;
  /** The controller's clock (queues, expectations, backoff). */
  readonly clock: FakeClock;
  /** Loopback client over the registry. */
  readonly client: Client;
  /** The controller under test. */
  readonly controller: DaemonSetController;
  private running: Promise<void> | undefined;

  /** Builds the controller on a started cluster (the controller is not running yet). */
  constructor(private readonly cluster: ControlLoopTestCluster, private readonly options: ClusterOptions = {}) {
    this.clock = cluster.clock;
    this.client = cluster.client;
    this.controller = new DaemonSetController({
      client: options.wrapClient ? options.wrapClient(this.client) : this.client, informers: cluster.informers, clock: this.clock, now: () => this.now(),
      burstReplicas: options.burstReplicas, onError: (e) => this.errors.push(e),
    });
  }

  /** Wall-clock ms as the controller sees it. */
  now(): number {
    return Date.now() + this.skewMs;
  }

  /** Starts the informers and the controller. */
  start(): void {
    this.cluster.startInformers();
    this.running = this.controller.run(this.cluster.signal);
  }

  /** Stops everything (after the recorder flushed) and waits for it to finish. */
  async stop(): Promise<void> {
    await this.cluster.stop((this.running ?? Promise.resolve()).then(() => this.controller.recorder.flush()));
  }

  /** Creates a node. */
  async createNode(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Promise<Node> {
    return this.client.create<Node>(R.nodes, undefined, makeNode(name, labels, taints));
  }

  /** Creates a DaemonSet in `default`. */
  async createDaemonSet(ds: DaemonSet): Promise<DaemonSet> {
    return this.client.create<DaemonSet>(R.daemonSets, "default", ds);
  }

  /** Reads a DaemonSet from `default`. */
  async getDaemonSet(name = "ds"): Promise<DaemonSet> {
    return this.client.get<DaemonSet>(R.daemonSets, "default", name);
  }

  /** Every pod in `default`. */
  async pods(): Promise<Pod[]> {
    return (await this.client.list<Pod>(R.pods, "default")).items;
  }

  /** Pods in `default` not being deleted. */
  async livePods(): Promise<Pod[]> {
    return (await this.pods()).filter((p) => !p.metadata?.deletionTimestamp);
  }

  /** Every ControllerRevision in `default`. */
  async revisions(): Promise<ControllerRevision[]> {
    return (await this.client.list<ControllerRevision>(R.revisions, "default")).items;
  }

  /** Events in `default` (optionally of one reason), after the recorder flushed. */
  async events(reason?: string): Promise<CoreEvent[]> {
    await this.controller.recorder.flush();
    const items = (await this.client.list<CoreEvent>(R.events, "default")).items;
    return reason ? items.filter((e) => e.reason === reason) : items;
  }

  /** Sets a pod's status phase (and Ready condition) as a kubelet would. */
  async setPodStatus(name: string, phase: string, ready: boolean): Promise<void> {
    const pod = await this.client.get<Pod>(R.pods, "default", name);
    const at = rfc3339(this.now());
    const status = { ...(pod.status ?? {}), phase, conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: at }] };
    await this.client.updateStatus<Pod>(R.pods, "default", { ...pod, status });
  }

  /**
   * One kubelet + scheduler pass: binds unbound pods to their (existing) target node, makes bound Pending pods
   * Running and Ready (when readyWhen allows), and finishes graceful deletions.
   */
  async kubelet(): Promise<void> {
    const nodes = new Set((await this.client.list<Node>(R.nodes, undefined)).items.map((n) => n.metadata?.name));
    for (const pod of await this.pods()) {
      const name = pod.metadata?.name ?? "";
      try {
        if (pod.metadata?.deletionTimestamp) {
          await this.client.delete(R.pods, "default", name, { gracePeriodSeconds: 0 });
          continue;
        }
        if (!pod.spec?.nodeName) {
          const target = pod.spec ? podTargetNodeName(pod.spec) : undefined;
          if (target && nodes.has(target)) {
            await this.client.createSubresource(R.pods, "default", name, "binding", { apiVersion: "v1", kind: "Binding", metadata: { name }, target: { kind: "Node", name: target } });
          }
          continue;
        }
        if (pod.status?.phase === "Pending" && (this.options.readyWhen?.(pod) ?? true)) await this.setPodStatus(name, "Running", true);
      } catch (error) {
        if (!(error instanceof StatusError && (error.code === 404 || error.code === 409))) throw error;
      }
    }
  }

  /**
   * Polls `condition` (running a kubelet pass first when `kubelet` is set), advancing the fake clock `stepMs` each
   * round; throws with `what` after `maxRounds`.
   */
  async waitFor(what: string, condition: () => Promise<boolean> | boolean, opts: { kubelet?: boolean; stepMs?: number; maxRounds?: number } = {}): Promise<void> {
    const rounds = opts.maxRounds ?? 2000;
    for (let i = 0; i < rounds; i++) {
      if (opts.kubelet) await this.kubelet();
      if (await condition()) return;
      this.clock.advance(opts.stepMs ?? 10);
      await delay(2);
    }
    throw new Error(`timed out waiting for ${what}; controller errors: ${this.errors.map(String).join(" | ")}`);
  }

  /** Lets the controller run for `rounds` polls (with the kubelet when asked) without a condition. */
  async settle(rounds = 30, kubelet = false): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      if (kubelet) await this.kubelet();
      this.clock.advance(10);
      await delay(2);
    }
  }
}

/** Starts a cluster (registry on the system time, system namespaces, fake clock at 1000 s); stop it in `finally`. */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const c = new TestCluster(await startTestCluster({ clockStart: 1_000_000, registryOnClock: false, informersOnClock: false, namespaces: systemNamespaces }), options);
  c.start();
  return c;
}

/** Pods grouped by target node name. */
export function podsByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = (p.spec ? podTargetNodeName(p.spec) : undefined) ?? "";
    out.set(n, [...(out.get(n) ?? []), p]);
  }
  return out;
}
