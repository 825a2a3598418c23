/** An in-process cluster for DaemonSet controller tests: registry + loopback client + controller, with a scripted kubelet. */
import { setTimeout as delay } from "node:timers/promises";
import { findResource, type ResourceInfo } from "../../../api/resources.js";
import { StatusError } from "../../../api/status-error.js";
import type { ControllerRevision, CoreEvent, DaemonSet, Node, Pod, Taint } from "../../../api/types.js";
import { ensureNamespaces, Registry } from "../../../apiserver/registry/index.js";
import type { Client } from "../../../client/client.js";
import { SharedInformerFactory } from "../../../client/informer-factory.js";
import { createLoopbackClient } from "../../../client/loopback.js";
import { podTargetNodeName } from "../../../api/node-affinity.js";
import { FakeClock } from "../../../controller/clock.js";
import { MemoryBackend } from "../../../storage/memory-backend.js";
import { DaemonSetController } from "../daemonset-controller.js";
import { makeNode } from "./fixtures.js";

function res(group: string, name: string): ResourceInfo {
  const r = findResource(group, name);
  if (!r) throw new Error(`no resource ${name}`);
  return r;
}

/** Resources used by the tests. */
export const R = {
  nodes: res("", "nodes"),
  pods: res("", "pods"),
  events: res("", "events"),
  daemonSets: res("apps", "daemonsets"),
  revisions: res("apps", "controllerrevisions"),
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
  readonly clock = new FakeClock(1_000_000);
  /** Loopback client over the registry. */
  readonly client: Client;
  /** The controller under test. */
  readonly controller: DaemonSetController;
  private readonly abort = new AbortController();
  private readonly backend = new MemoryBackend();
  private readonly registry: Registry;
  private readonly informers: SharedInformerFactory;
  private running: Promise<void> | undefined;

  /** Builds the cluster (stopped). */
  constructor(private readonly options: ClusterOptions = {}) {
    this.registry = new Registry({ backend: this.backend });
    this.client = createLoopbackClient(this.registry);
    this.informers = new SharedInformerFactory(this.client);
    this.controller = new DaemonSetController({
      client: options.wrapClient ? options.wrapClient(this.client) : this.client, informers: this.informers, clock: this.clock, now: () => this.now(),
      burstReplicas: options.burstReplicas, onError: (e) => this.errors.push(e),
    });
  }

  /** Wall-clock ms as the controller sees it. */
  now(): number {
    return Date.now() + this.skewMs;
  }

  /** Starts the registry, the informers and the controller. */
  async start(): Promise<void> {
    await this.registry.start(this.abort.signal);
    await ensureNamespaces(this.client);
    this.informers.start(this.abort.signal);
    this.running = this.controller.run(this.abort.signal);
  }

  /** Stops everything and waits for it to finish. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.informers.stopped();
    await this.controller.recorder.flush();
    this.registry.close();
    await this.backend.close();
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
    const at = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
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

/** Starts a cluster; stop it in `finally`. */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const c = new TestCluster(options);
  await c.start();
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
