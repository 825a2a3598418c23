/**
 * Schema definitions of everynode's own kinds (everynode.dev/v1alpha1 DaemonJob), written by hand in the compact
 * form of generated-definitions.ts, since no upstream type describes them. Named like the OpenAPI definitions of
 * custom resources: the reversed group, the version and the kind.
 */
import type { RawDefinition, RawProperty } from "./types.js";

const prefix = "dev.everynode.v1alpha1";
const meta = "io.k8s.apimachinery.pkg.apis.meta.v1";
const gvk = (kind: string): RawDefinition["gvk"] => [{ group: "everynode.dev", version: "v1alpha1", kind }];

const apiVersion: RawProperty = { type: "string", description: "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources" };
const kind: RawProperty = { type: "string", description: "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds" };

/** The DaemonJob definitions, keyed by OpenAPI name. */
export const daemonJobDefinitions: Readonly<Record<string, RawDefinition>> = {
  [`${prefix}.DaemonJob`]: {
    go: "DaemonJob",
    description: "DaemonJob runs a pod to completion once on every eligible node: the nodes a DaemonSet with the same template would run on.",
    properties: {
      apiVersion, kind,
      metadata: { type: `#${meta}.ObjectMeta`, description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
      spec: { type: `#${prefix}.DaemonJobSpec`, description: "Specification of the desired behavior of the DaemonJob." },
      status: { type: `#${prefix}.DaemonJobStatus`, description: "Current status of the DaemonJob, per node. Populated by the system. Read-only." },
    },
    gvk: gvk("DaemonJob"),
  },
  [`${prefix}.DaemonJobList`]: {
    go: "DaemonJobList",
    description: "DaemonJobList is a collection of DaemonJobs.",
    properties: {
      apiVersion,
      items: { type: `[]#${prefix}.DaemonJob`, description: "items is the list of DaemonJobs." },
      kind,
      metadata: { type: `#${meta}.ListMeta`, description: "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    },
    required: ["items"],
    gvk: gvk("DaemonJobList"),
  },
  [`${prefix}.DaemonJobSpec`]: {
    go: "DaemonJobSpec",
    description: "DaemonJobSpec describes what a DaemonJob runs and where.",
    properties: {
      template: { type: "#io.k8s.api.core.v1.PodTemplateSpec", description: "The pod run once on every eligible node. Placement follows DaemonSets: node selector, node affinity, taints and tolerations (with the tolerations DaemonSet pods get by default). The only allowed template.spec.restartPolicy values are \"Never\" or \"OnFailure\". Immutable." },
      selector: { type: `#${meta}.LabelSelector`, description: "A label query over the DaemonJob's pods. When absent, the selector everynode.dev/controller-uid=<uid> is generated and the labels everynode.dev/controller-uid and everynode.dev/daemonjob-name are added to the template. When set, it must match the template's labels. Immutable." },
      backoffLimitPerNode: { type: "int32", description: "Failed attempts on a node that are retried (with an exponential back-off from 10 s up to 6 min) before the node counts as failed. With restartPolicy OnFailure, container restarts count as failures. Defaults to 6." },
      activeDeadlineSeconds: { type: "int64", description: "Seconds from startTime the DaemonJob may run; then its running pods are deleted, no pod is started any more and it fails with reason DeadlineExceeded. Must be positive." },
      ttlSecondsAfterFinished: { type: "int32", description: "Seconds after the DaemonJob finished (Complete or Failed) after which it is deleted, and its pods with it. Unset: never deleted automatically." },
      parallelism: { type: "IntOrString", description: "How many nodes run the pod at once: a number, or a percentage of the nodes the DaemonJob covers (rounded up). Defaults to all of them; 0 starts no pod." },
      runOnNewNodes: { type: "boolean", description: "Also run on nodes created after the DaemonJob started, for as long as it exists (before and after it completed). When false, only nodes that existed when it started are covered. Defaults to false." },
    },
    required: ["template"],
  },
  [`${prefix}.DaemonJobStatus`]: {
    go: "DaemonJobStatus",
    description: "DaemonJobStatus counts the nodes a DaemonJob covers by state; every node counts once.",
    properties: {
      desired: { type: "int32", description: "The number of nodes the DaemonJob covers." },
      active: { type: "int32", description: "The number of nodes with a pod pending or running." },
      succeeded: { type: "int32", description: "The number of nodes whose pod succeeded." },
      failed: { type: "int32", description: "The number of nodes that failed: more failures than backoffLimitPerNode, or pods stopped by the deadline." },
      startTime: { type: "Time", description: "When the controller first started working on the DaemonJob." },
      completionTime: { type: "Time", description: "When every covered node succeeded (set with the Complete condition)." },
      observedGeneration: { type: "int64", description: "The generation the controller observed." },
      conditions: { type: `[]#${prefix}.DaemonJobCondition`, description: "The latest observations: Complete (every node succeeded) and Failed (reasons FailedNodes and DeadlineExceeded), with Job semantics.", patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"] },
    },
  },
  [`${prefix}.DaemonJobCondition`]: {
    go: "DaemonJobCondition",
    description: "DaemonJobCondition describes the state of a DaemonJob at a certain point.",
    properties: {
      type: { type: "string", description: "Type of the condition: Complete or Failed." },
      status: { type: "string", description: "Status of the condition, one of True, False, Unknown." },
      reason: { type: "string", description: "(brief) reason for the condition's last transition." },
      message: { type: "string", description: "Human readable message indicating details about last transition." },
      lastProbeTime: { type: "Time", description: "Last time the condition was checked." },
      lastTransitionTime: { type: "Time", description: "Last time the condition transit from one status to another." },
    },
    required: ["type", "status"],
  },
};
