/** Building the pods a DaemonSet creates. */
import { isGatingDaemonSet } from "../../api/readiness-gate.js";
import { nodeNameField } from "../../api/node-affinity.js";
import type { Affinity, DaemonSet, OwnerReference, Pod, PodTemplateSpec } from "../../api/types.js";
import { controllerRevisionHashLabel, podTemplateGenerationLabel } from "./labels.js";
import { addDaemonTolerations } from "./tolerations.js";
import { deepCopy } from "../../util/json.js";

/** The controller ownerReference a DaemonSet puts on what it owns (pods, revisions). */
export function daemonSetControllerRef(ds: DaemonSet): OwnerReference {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    name: ds.metadata?.name ?? "",
    uid: ds.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A copy of `affinity` whose required node affinity is exactly `metadata.name In [nodeName]` (preferred terms and pod (anti-)affinity kept). */
export function replaceNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const out: Affinity = affinity ? deepCopy(affinity) : {};
  out.nodeAffinity = {
    ...(out.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: nodeNameField, operator: "In", values: [nodeName] }] }],
    },
  };
  return out;
}

/**
 * The template daemon pods are created from: the DaemonSet's template with the default daemon tolerations (and the
 * daemons-not-ready toleration when the DaemonSet gates its nodes) and
 * the labels `pod-template-generation` (when the generation is known) and `controller-revision-hash` (when non-empty).
 */
export function daemonPodTemplate(ds: DaemonSet, hash: string, generation: number | undefined): PodTemplateSpec {
  const template: PodTemplateSpec = deepCopy(ds.spec?.template ?? {});
  const spec = template.spec ?? { containers: [] };
  spec.tolerations = addDaemonTolerations(spec, isGatingDaemonSet(ds));
  template.spec = spec;
  const metadata = template.metadata ?? {};
  const labels = { ...(metadata.labels ?? {}) };
  if (generation !== undefined) labels[podTemplateGenerationLabel] = String(generation);
  if (hash) labels[controllerRevisionHashLabel] = hash;
  metadata.labels = labels;
  template.metadata = metadata;
  return template;
}

/** generateName of a DaemonSet's pods: `<name>-`, or the bare name when the dash would make it too long. */
export function daemonPodGenerateName(dsName: string): string {
  return dsName.length + 1 > 253 ? dsName : `${dsName}-`;
}

/** A pod from a prepared template (see daemonPodTemplate) pinned to `nodeName` through required node affinity. */
export function podFromTemplate(ds: DaemonSet, template: PodTemplateSpec, nodeName: string): Pod {
  const spec = deepCopy(template.spec ?? { containers: [] });
  spec.affinity = replaceNodeNameAffinity(spec.affinity, nodeName);
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: daemonPodGenerateName(ds.metadata?.name ?? ""),
      namespace: ds.metadata?.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [daemonSetControllerRef(ds)],
    },
    spec,
  };
  const podMeta = pod.metadata ?? {};
  if (meta.annotations && Object.keys(meta.annotations).length > 0) podMeta.annotations = { ...meta.annotations };
  if (meta.finalizers && meta.finalizers.length > 0) podMeta.finalizers = [...meta.finalizers];
  return pod;
}

/**
 * The pod the DaemonSet creates for `nodeName`: template + default tolerations, labels incl. revision hash and
 * template generation, generateName `<ds>-`, a controller ownerReference, required node affinity replaced by the
 * node's `metadata.name` term, and spec.nodeName left to the scheduler (unless the template pins it).
 */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string, generation: number | undefined): Pod {
  return podFromTemplate(ds, daemonPodTemplate(ds, hash, generation), nodeName);
}
