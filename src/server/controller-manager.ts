import { setMaxListeners } from "node:events";
import type { Client } from "../client/client.js";
import { withFieldManager } from "../client/field-manager-client.js";
import { stripManagedFields } from "../client/cache.js";
import { SharedInformerFactory } from "../client/informer-factory.js";
import { ClusterRoleAggregationController } from "../controllers/clusterrole-aggregation/clusterrole-aggregation-controller.js";
import { DaemonJobController } from "../controllers/daemonjob/daemonjob-controller.js";
import { DaemonSetController } from "../controllers/daemonset/daemonset-controller.js";
import { EndpointsController } from "../controllers/endpoints/endpoints-controller.js";
import { EndpointSliceController } from "../controllers/endpointslice/endpointslice-controller.js";
import { GarbageCollector } from "../controllers/garbage-collector/garbage-collector.js";
import { NodeLifecycleController } from "../controllers/node-lifecycle/node-lifecycle-controller.js";
import { NodeReadinessGateController } from "../controllers/node-readiness-gate/index.js";
import { defaultServiceAccountController, rootCaPublisher } from "../controllers/namespace-defaults/index.js";
import { TokensController, type LegacyTokenSigner } from "../controllers/serviceaccount-tokens/tokens-controller.js";
import { PodGarbageCollector } from "../controllers/podgc/pod-garbage-collector.js";
import { Scheduler } from "../scheduler/index.js";
import { runWithLeaderElection, type LeaderElectionOptions } from "../controller/leader-election.js";
import { NodeSimulator, type StageConfig } from "../simulator/index.js";
import type { LoopMetrics } from "../controller/loop-metrics.js";

/** What runs beside (or apart from) the API server: controllers, scheduler and, optionally, simulated nodes. */
export interface ControllerManagerOptions {
  client: Client;
  /** Run the node simulator (simulates every node annotated everynode.dev/simulated). */
  simulate: boolean;
  /** Simulated nodes node-1..node-N to create when missing (with simulate). */
  nodes: number;
  /** Pod lifecycle stages for the simulator (default: the shipped stages). */
  stages?: StageConfig;
  /** Node monitor grace period (upstream 50 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How often each simulated node renews its Lease (default 10 s, as the kubelet). */
  leaseRenewIntervalMs?: number;
  /** Shared informers to use (the caller starts them); default: a factory of its own, started here. */
  informers?: SharedInformerFactory;
  /** Where work queues and the scheduler report their metrics (default: nowhere). */
  metrics?: LoopMetrics;
  /** Receives component failures (default: one line on stderr per distinct message). */
  onError?: (component: string, error: unknown) => void;
  /** The cluster CA (PEM) published as ConfigMap kube-root-ca.crt in every namespace (absent: not published). */
  rootCaCert?: string;
  /** Signs legacy tokens of kubernetes.io/service-account-token Secrets (absent: their tokens are not filled in). */
  signLegacyToken?: LegacyTokenSigner;
}

/** Runs every control loop against `client` until `signal` aborts; resolves once all have stopped. */
export async function runControllerManager(options: ControllerManagerOptions, signal: AbortSignal): Promise<void> {
  const base = options.client;
  // Writes name their component as upstream's User-Agents do (managedFields show who set what).
  const client = withFieldManager(base, "kube-controller-manager");
  const report = options.onError ?? defaultErrorReporter();
  // As upstream's controller manager and scheduler, its own informers keep objects without managedFields (writes
  // sending one back without them keep the stored ones).
  const informers = options.informers ?? new SharedInformerFactory(base, { onError: (err) => report("informer", err), transform: stripManagedFields });
  const onError = (component: string) => (err: unknown): void => report(component, err);
  const { metrics } = options;
  const loops: { run(signal: AbortSignal): Promise<void> }[] = [
    new DaemonSetController({ client, informers, metrics, onError: onError("daemonset-controller") }),
    new DaemonJobController({ client, informers, metrics, onError: onError("daemonjob-controller") }),
    new GarbageCollector({ client, informers, metrics, onError: onError("garbage-collector") }),
    new EndpointsController({ client, informers, metrics, onError: onError("endpoints-controller") }),
    new EndpointSliceController({ client, informers, metrics, onError: onError("endpointslice-controller") }),
    new PodGarbageCollector({ client, informers, metrics, onError: onError("pod-garbage-collector") }),
    new NodeLifecycleController({ client, informers, metrics, gracePeriodMs: options.nodeMonitorGracePeriodMs, onError: onError("node-lifecycle-controller") }),
    new NodeReadinessGateController({ client, informers, metrics, onError: onError("node-readiness-gate-controller") }),
    new Scheduler({ client: withFieldManager(base, "kube-scheduler"), informers, metrics, onError: onError("scheduler") }),
    defaultServiceAccountController({ client, informers, metrics, onError: onError("serviceaccount-controller") }),
    new ClusterRoleAggregationController({ client, informers, metrics, onError: onError("clusterrole-aggregation-controller") }),
  ];
  if (options.signLegacyToken) loops.push(new TokensController({ client, informers, metrics, sign: options.signLegacyToken, caCert: options.rootCaCert, onError: onError("serviceaccount-tokens-controller") }));
  if (options.rootCaCert !== undefined) loops.push(rootCaPublisher({ client, informers, metrics, onError: onError("root-ca-cert-publisher") }, options.rootCaCert));
  if (options.simulate) {
    loops.push(new NodeSimulator({ client: withFieldManager(base, "kubelet"), informers, nodeCount: options.nodes, stages: options.stages, leaseRenewIntervalMs: options.leaseRenewIntervalMs, onError: onError("node-simulator") }));
  }
  const running = loops.map((l) => l.run(signal));
  if (!options.informers) informers.start(signal);
  await Promise.all(running);
  // Informers of the caller outlive these loops (e.g. while another server leads).
  if (!options.informers) await informers.stopped();
}

/**
 * Runs the control loops only while holding the Lease of `election`, campaigning again after losing it (or
 * after a failed attempt, e.g. while the store is unavailable), until `signal` aborts. Reports on `options.metrics`
 * whether this process holds the Lease (leader_election_master_status).
 */
export async function runElectedControllerManager(
  options: ControllerManagerOptions, election: LeaderElectionOptions, signal: AbortSignal, log: (line: string) => void,
): Promise<void> {
  const report = options.onError ?? defaultErrorReporter();
  // leader_election_master_status{name}: 0 while campaigning, 1 while holding the Lease.
  options.metrics?.setLeader(election.name, false);
  while (!signal.aborted) {
    try {
      await runWithLeaderElection(election, signal, async (leading) => {
        setMaxListeners(0, leading);
        options.metrics?.setLeader(election.name, true);
        log(`leading (${election.identity}): controllers, scheduler and simulator started`);
        try {
          await runControllerManager(options, leading);
        } finally {
          options.metrics?.setLeader(election.name, false);
        }
        if (!signal.aborted) log("leadership lost: controllers stopped");
      });
    } catch (error) {
      report("leader-election", error);
      await new Promise((resolve) => setTimeout(resolve, election.retryPeriodMs ?? 2_000));
    }
  }
}

function defaultErrorReporter(): (component: string, error: unknown) => void {
  const seen = new Set<string>();
  return (component, error) => {
    const line = `${component}: ${error instanceof Error ? error.message : String(error)}`;
    if (seen.has(line)) return;
    if (seen.size > 1000) seen.clear();
    seen.add(line);
    process.stderr.write(`${line}\n`);
  };
}
