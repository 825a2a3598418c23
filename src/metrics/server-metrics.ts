import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { LoopMetrics, SchedulerMetrics, WorkQueueMetrics } from "../controller/loop-metrics.js";
import type { KubeStateMetrics } from "./kube-state.js";

/** What one API request looked like, for `apiserver_request_*`. */
export interface RequestLabels {
  /** Upstream's verb: GET, LIST, WATCH, POST, PUT, PATCH, DELETE, … (for non-resource requests the method). */
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** `resource` (named object), `namespace`, `cluster`, or "" for non-resource requests. */
  scope: string;
  /** The request's `dryRun` values joined by commas ("" for a real request, `invalid` for an unknown value). */
  dryRun: string;
}

const requestBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const storageBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const queueBuckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];
const schedulerBuckets = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];
const requestLabelNames = ["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"] as const;
const longRunningLabelNames = ["verb", "group", "version", "resource", "subresource", "scope", "component"] as const;

/** The labels of apiserver_request_total and _duration_seconds, in upstream's order. */
function requestSeries(l: RequestLabels): Record<(typeof requestLabelNames)[number], string> {
  return { verb: l.verb, dry_run: l.dryRun, group: l.group, version: l.version, resource: l.resource, subresource: l.subresource, scope: l.scope, component: "apiserver" };
}

/** The labels of apiserver_longrunning_requests (no dry_run, as upstream). */
function longRunningSeries(l: RequestLabels): Record<(typeof longRunningLabelNames)[number], string> {
  return { verb: l.verb, group: l.group, version: l.version, resource: l.resource, subresource: l.subresource, scope: l.scope, component: "apiserver" };
}

/**
 * The server's own metrics in a prom-client registry of their own (never the library's global one): API
 * requests, long-running requests (watches), storage latency and size, work queues, the scheduler, leader
 * election and the process (CPU, memory, event-loop lag). `text()` appends kube-state series when given.
 */
export class ServerMetrics implements LoopMetrics {
  /** The registry every metric here is registered in. */
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: "apiserver_request_total", help: "[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.", labelNames: [...requestLabelNames, "code"], registers: [this.registry] });
  private readonly latency = new Histogram({ name: "apiserver_request_duration_seconds", help: "[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.", labelNames: requestLabelNames, buckets: requestBuckets, registers: [this.registry] });
  private readonly longRunning = new Gauge({ name: "apiserver_longrunning_requests", help: "[STABLE] Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.", labelNames: longRunningLabelNames, registers: [this.registry] });
  private readonly storageLatency = new Histogram({ name: "etcd_request_duration_seconds", help: "[ALPHA] Etcd request latency in seconds for each operation and object type.", labelNames: ["operation", "type"], buckets: storageBuckets, registers: [this.registry] });
  private readonly queueDepth = new Gauge({ name: "workqueue_depth", help: "[ALPHA] Current depth of workqueue", labelNames: ["name"], registers: [this.registry] });
  private readonly queueAdds = new Counter({ name: "workqueue_adds_total", help: "[ALPHA] Total number of adds handled by workqueue", labelNames: ["name"], registers: [this.registry] });
  private readonly queueWait = new Histogram({ name: "workqueue_queue_duration_seconds", help: "[ALPHA] How long in seconds an item stays in workqueue before being requested.", labelNames: ["name"], buckets: queueBuckets, registers: [this.registry] });
  private readonly queueWork = new Histogram({ name: "workqueue_work_duration_seconds", help: "[ALPHA] How long in seconds processing an item from workqueue takes.", labelNames: ["name"], buckets: queueBuckets, registers: [this.registry] });
  private readonly queueRetries = new Counter({ name: "workqueue_retries_total", help: "[ALPHA] Total number of retries handled by workqueue", labelNames: ["name"], registers: [this.registry] });
  private readonly scheduleAttempts = new Counter({ name: "scheduler_schedule_attempts_total", help: "[STABLE] Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.", labelNames: ["result", "profile"], registers: [this.registry] });
  private readonly scheduleLatency = new Histogram({ name: "scheduler_scheduling_attempt_duration_seconds", help: "[STABLE] Scheduling attempt latency in seconds (scheduling algorithm + binding)", labelNames: ["result", "profile"], buckets: schedulerBuckets, registers: [this.registry] });
  private kubeState: KubeStateMetrics | undefined;
  private readonly leader = new Gauge({ name: "leader_election_master_status", help: "[ALPHA] Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.", labelNames: ["name"], registers: [this.registry] });

  /**
   * Registers every metric; `storageSizeBytes` (when given) is read at each scrape for
   * `apiserver_storage_size_bytes`, and `kubeState` (when given) is appended to every scrape.
   */
  constructor(options: { storageSizeBytes?: () => number; kubeState?: KubeStateMetrics } = {}) {
    this.kubeState = options.kubeState;
    collectDefaultMetrics({ register: this.registry });
    const size = options.storageSizeBytes;
    if (size) {
      new Gauge({
        name: "apiserver_storage_size_bytes", help: "[STABLE] Size of the storage database file physically allocated in bytes.", labelNames: ["storage_cluster_id"], registers: [this.registry],
        collect() { this.set({ storage_cluster_id: "everynode" }, size()); },
      });
    }
  }

  /** Appends `kubeState`'s series to every later scrape (for a process that builds them after its metrics). */
  include(kubeState: KubeStateMetrics): void {
    this.kubeState = kubeState;
  }

  /** Counts a finished request and records its latency (long-running requests only count). */
  observeRequest(labels: RequestLabels, code: number, seconds: number, longRunning: boolean): void {
    const l = requestSeries(labels);
    this.requests.inc({ ...l, code: String(code) });
    if (!longRunning) this.latency.observe(l, seconds);
  }

  /** Marks a long-running request (a watch) as started; the returned function marks it finished. */
  startLongRunning(labels: RequestLabels): () => void {
    const l = longRunningSeries(labels);
    this.longRunning.inc(l);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.longRunning.dec(l);
    };
  }

  /** Records one storage operation (`create`, `update`, `delete`, `get`, `list`) on `type` objects. */
  observeStorage(operation: string, type: string, seconds: number): void {
    this.storageLatency.observe({ operation, type }, seconds);
  }

  /** The metrics of the work queue `name`. */
  workQueue(name: string): WorkQueueMetrics {
    const l = { name };
    this.queueDepth.set(l, 0);
    return {
      added: () => { this.queueAdds.inc(l); this.queueDepth.inc(l); },
      taken: (waited) => { this.queueDepth.dec(l); this.queueWait.observe(l, waited); },
      processed: (seconds) => this.queueWork.observe(l, seconds),
      retried: () => this.queueRetries.inc(l),
    };
  }

  /** The scheduler's metrics (profile `default-scheduler`). */
  scheduler(): SchedulerMetrics {
    return { attempt: (result, seconds) => { this.scheduleAttempts.inc({ result, profile: "default-scheduler" }); this.scheduleLatency.observe({ result, profile: "default-scheduler" }, seconds); } };
  }

  /** Sets whether this process holds the lease `name`. */
  setLeader(name: string, leading: boolean): void {
    this.leader.set({ name }, leading ? 1 : 0);
  }

  /** The Prometheus text exposition of every metric, kube-state series included. */
  async text(): Promise<string> {
    const own = await this.registry.metrics();
    return this.kubeState ? `${own}\n${this.kubeState.render()}` : own;
  }

  /** The content type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
