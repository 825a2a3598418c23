/** The pods a DaemonJob creates: its template, the default daemon tolerations, pinned to one node. */
import type { DaemonJob, ObjectReference, OwnerReference, Pod } from "../../api/types.js";
import { deepCopy } from "../../util/json.js";
import { podFromTemplate } from "../daemonset/pod-template.js";
import { addDaemonTolerations } from "../daemonset/tolerations.js";

/** The controller ownerReference on a DaemonJob's pods (garbage collection removes them with it). */
export function daemonJobControllerRef(dj: DaemonJob): OwnerReference {
  return { apiVersion: "everynode.dev/v1alpha1", kind: "DaemonJob", name: dj.metadata?.name ?? "", uid: dj.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** The object reference events about a DaemonJob point to. */
export function daemonJobReference(dj: DaemonJob): ObjectReference {
  return { apiVersion: "everynode.dev/v1alpha1", kind: "DaemonJob", name: dj.metadata?.name, namespace: dj.metadata?.namespace, uid: dj.metadata?.uid, resourceVersion: dj.metadata?.resourceVersion };
}

/**
 * The pod for `nodeName`: the template's labels, annotations and spec, plus the tolerations DaemonSet pods get,
 * required node affinity replaced by the node's `metadata.name` term (the scheduler binds it), generateName
 * `<name>-` and a controller reference to the DaemonJob.
 */
export function newDaemonJobPod(dj: DaemonJob, nodeName: string): Pod {
  const template = deepCopy(dj.spec?.template ?? {});
  const spec = template.spec ?? { containers: [] };
  spec.tolerations = addDaemonTolerations(spec);
  template.spec = spec;
  return podFromTemplate(dj, template, nodeName, daemonJobControllerRef(dj));
}
