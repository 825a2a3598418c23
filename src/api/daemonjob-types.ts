/** The everynode.dev/v1alpha1 DaemonJob: a pod run to completion once on every eligible node. */
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { LabelSelector, ListMeta, ObjectMeta, Time } from "kubernetes-types/meta/v1.js";

/** The API group of everynode's own kinds. */
export const everynodeGroup = "everynode.dev";

/** apiVersion of a DaemonJob. */
export const daemonJobApiVersion = "everynode.dev/v1alpha1";

/** Default spec.backoffLimitPerNode. */
export const defaultBackoffLimitPerNode = 6;

/** What a DaemonJob runs and where (see the README for each field's meaning). */
export interface DaemonJobSpec {
  /** The pod run on every eligible node; restartPolicy Never or OnFailure. */
  template: PodTemplateSpec;
  /** Selects the DaemonJob's pods; generated from the DaemonJob's uid when absent. */
  selector?: LabelSelector;
  /** Failed attempts on one node retried before the node counts as failed (default 6). */
  backoffLimitPerNode?: number;
  /** Seconds from startTime after which the DaemonJob fails (DeadlineExceeded) and its running pods are deleted. */
  activeDeadlineSeconds?: number;
  /** Seconds after finishing (Complete or Failed) after which the DaemonJob is deleted. */
  ttlSecondsAfterFinished?: number;
  /** Nodes running a pod at once: a number or a percentage of the eligible nodes (default: all). */
  parallelism?: number | string;
  /** Also run on nodes that join after the DaemonJob started (default false). */
  runOnNewNodes?: boolean;
}

/** One Complete or Failed condition, as batch/v1 Job conditions. */
export interface DaemonJobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: Time;
  lastTransitionTime?: Time;
}

/** Per-node counts (a node counts once) and the conditions of a DaemonJob. */
export interface DaemonJobStatus {
  /** Eligible nodes the DaemonJob covers. */
  desired?: number;
  /** Nodes with a pod pending or running. */
  active?: number;
  /** Nodes whose pod succeeded. */
  succeeded?: number;
  /** Nodes whose failures exceeded backoffLimitPerNode (or stopped by the deadline). */
  failed?: number;
  startTime?: Time;
  completionTime?: Time;
  observedGeneration?: number;
  conditions?: DaemonJobCondition[];
}

/** everynode.dev/v1alpha1 DaemonJob. */
export interface DaemonJob {
  apiVersion?: "everynode.dev/v1alpha1";
  kind?: "DaemonJob";
  metadata?: ObjectMeta;
  spec?: DaemonJobSpec;
  status?: DaemonJobStatus;
}

/** everynode.dev/v1alpha1 DaemonJobList. */
export interface DaemonJobList {
  apiVersion?: "everynode.dev/v1alpha1";
  kind?: "DaemonJobList";
  metadata?: ListMeta;
  items: DaemonJob[];
}
