/**
 * The kube-state-metrics (v2.15) series for DaemonSets, Nodes and Pods, with upstream's names, help texts,
 * label names and values, so dashboards and the kubernetes-mixin alerts work unchanged.
 */
import type { DaemonSet, Node, Pod } from "../api/types.js";
import { sampleLine } from "./exposition.js";

/** One metric family: how it is announced and the sample lines one object contributes. */
export interface Family<T> {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples(obj: T): string[];
}

type Labels = [string, string][];

/** Which DaemonSet labels `kube_daemonset_labels` exposes (upstream: none unless allowlisted; `*` = all). */
export type LabelAllowlist = readonly string[] | "*";

const stable = (help: string): string => `[STABLE] ${help}`;
const scheduledHelp = "The number of nodes that should be running the daemon pod and have ";

function dsLabels(ds: DaemonSet): Labels {
  return [["namespace", ds.metadata?.namespace ?? ""], ["daemonset", ds.metadata?.name ?? ""]];
}

function dsGauge(name: string, help: string, value: (ds: DaemonSet) => number | undefined): Family<DaemonSet> {
  return { name, help, type: "gauge", samples: (ds) => [sampleLine(name, dsLabels(ds), value(ds) ?? 0)] };
}

/** Upstream's label-name sanitizing: `label_` + the key with every character outside [a-zA-Z0-9_] as `_`. */
function promLabelName(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/** The DaemonSet families (labels {namespace, daemonset}). */
export function daemonSetFamilies(allowlist: LabelAllowlist = []): Family<DaemonSet>[] {
  return [
    {
      name: "kube_daemonset_created", help: stable("Unix creation timestamp"), type: "gauge",
      samples: (ds) => {
        const t = ds.metadata?.creationTimestamp;
        return t ? [sampleLine("kube_daemonset_created", dsLabels(ds), Math.floor(Date.parse(t) / 1000))] : [];
      },
    },
    dsGauge("kube_daemonset_status_current_number_scheduled", stable("The number of nodes running at least one daemon pod and are supposed to."), (ds) => ds.status?.currentNumberScheduled),
    dsGauge("kube_daemonset_status_desired_number_scheduled", stable("The number of nodes that should be running the daemon pod."), (ds) => ds.status?.desiredNumberScheduled),
    dsGauge("kube_daemonset_status_number_available", stable(`${scheduledHelp}one or more of the daemon pod running and available`), (ds) => ds.status?.numberAvailable),
    dsGauge("kube_daemonset_status_number_misscheduled", stable("The number of nodes running a daemon pod but are not supposed to."), (ds) => ds.status?.numberMisscheduled),
    dsGauge("kube_daemonset_status_number_ready", stable(`${scheduledHelp}one or more of the daemon pod running and ready.`), (ds) => ds.status?.numberReady),
    dsGauge("kube_daemonset_status_number_unavailable", stable(`${scheduledHelp}none of the daemon pod running and available`), (ds) => ds.status?.numberUnavailable),
    dsGauge("kube_daemonset_status_observed_generation", stable("The most recent generation observed by the daemon set controller."), (ds) => ds.status?.observedGeneration),
    dsGauge("kube_daemonset_status_updated_number_scheduled", stable("The total number of nodes that are running updated daemon pod"), (ds) => ds.status?.updatedNumberScheduled),
    dsGauge("kube_daemonset_metadata_generation", stable("Sequence number representing a specific generation of the desired state."), (ds) => ds.metadata?.generation),
    {
      name: "kube_daemonset_labels", help: "Kubernetes labels converted to Prometheus labels.", type: "gauge",
      samples: (ds) => {
        if (allowlist !== "*" && allowlist.length === 0) return [];
        const picked = Object.entries(ds.metadata?.labels ?? {})
          .filter(([k]) => allowlist === "*" || allowlist.includes(k))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]): [string, string] => [promLabelName(k), v]);
        return [sampleLine("kube_daemonset_labels", [...dsLabels(ds), ...picked], 1)];
      },
    },
  ];
}

const conditionStatuses = ["true", "false", "unknown"] as const;

/** The samples of a condition status as upstream's addConditionMetrics writes them (one per possible status). */
function conditionSamples(name: string, labels: Labels, labelName: string, status: string | undefined): string[] {
  const s = (status ?? "").toLowerCase();
  return conditionStatuses.map((c) => sampleLine(name, [...labels, [labelName, c]], c === s ? 1 : 0));
}

/** The Node families (labels {node}). */
export function nodeFamilies(): Family<Node>[] {
  return [
    {
      name: "kube_node_spec_unschedulable", help: stable("Whether a node can schedule new pods."), type: "gauge",
      samples: (n) => [sampleLine("kube_node_spec_unschedulable", [["node", n.metadata?.name ?? ""]], n.spec?.unschedulable ? 1 : 0)],
    },
    {
      name: "kube_node_status_condition", help: stable("The condition of a cluster node."), type: "gauge",
      samples: (n) => (n.status?.conditions ?? []).flatMap((c) =>
        conditionSamples("kube_node_status_condition", [["node", n.metadata?.name ?? ""], ["condition", c.type]], "status", c.status)),
    },
  ];
}

const podPhases = ["Pending", "Succeeded", "Failed", "Unknown", "Running"] as const;

function podLabels(p: Pod): Labels {
  return [["namespace", p.metadata?.namespace ?? ""], ["pod", p.metadata?.name ?? ""], ["uid", p.metadata?.uid ?? ""]];
}

/** The Pod families (labels {namespace, pod, uid}). */
export function podFamilies(): Family<Pod>[] {
  return [
    {
      name: "kube_pod_container_status_restarts_total", help: stable("The number of container restarts per container."), type: "counter",
      samples: (p) => (p.status?.containerStatuses ?? []).map((cs) =>
        sampleLine("kube_pod_container_status_restarts_total", [...podLabels(p), ["container", cs.name]], cs.restartCount)),
    },
    {
      name: "kube_pod_status_phase", help: stable("The pods current phase."), type: "gauge",
      samples: (p) => {
        const phase = p.status?.phase;
        if (!phase) return [];
        return podPhases.map((ph) => sampleLine("kube_pod_status_phase", [...podLabels(p), ["phase", ph]], ph === phase ? 1 : 0));
      },
    },
    {
      name: "kube_pod_status_ready", help: stable("Describes whether the pod is ready to serve requests."), type: "gauge",
      samples: (p) => {
        const ready = (p.status?.conditions ?? []).find((c) => c.type === "Ready");
        return ready ? conditionSamples("kube_pod_status_ready", podLabels(p), "condition", ready.status) : [];
      },
    },
  ];
}
