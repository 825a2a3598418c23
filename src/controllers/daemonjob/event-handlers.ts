/** Which DaemonJobs to sync when DaemonJobs, their pods or nodes change. Handlers only enqueue. */
import type { ApiObject, DaemonJob, Node, Pod } from "../../api/types.js";
import type { Store } from "../../client/cache.js";
import type { EventHandler } from "../../client/informer.js";
import { enqueueRequestForOwner, OwnerResolver } from "../../controller/owner-handlers.js";
import { labelsChanged, resourceVersionChanged } from "../../controller/predicates.js";
import { jsonEqual } from "../../util/json.js";

/** What the handlers act through. */
export interface DaemonJobHandlerDeps {
  daemonJobs: Store<DaemonJob>;
  enqueue: (dj: DaemonJob) => void;
  /** A creation (or deletion) of one of the DaemonJob's pods was observed. */
  creationObserved: (dj: DaemonJob) => void;
  deletionObserved: (dj: DaemonJob) => void;
}

/** DaemonJobs: every change of one syncs it. */
export function daemonJobHandler(deps: DaemonJobHandlerDeps): EventHandler<DaemonJob> {
  return {
    onAdd: deps.enqueue,
    onUpdate: (old, cur) => {
      if (resourceVersionChanged(old, cur)) deps.enqueue(cur);
    },
    onDelete: deps.enqueue,
  };
}

/** Pods: the owning DaemonJob (found through the controller reference), observing creations and deletions. */
export function daemonJobPodHandler(deps: DaemonJobHandlerDeps): EventHandler<Pod> {
  const owners = new OwnerResolver<DaemonJob>(deps.daemonJobs, "DaemonJob");
  const owned = enqueueRequestForOwner<Pod, DaemonJob>({ owners, enqueue: deps.enqueue });
  const observe = (pod: ApiObject, seen: (dj: DaemonJob) => void): void => {
    const dj = owners.controllerOf(pod);
    if (!dj) return;
    seen(dj);
    deps.enqueue(dj);
  };
  return {
    onAdd: (pod) => observe(pod, deps.creationObserved),
    onUpdate: owned.onUpdate,
    onDelete: (pod) => observe(pod, deps.deletionObserved),
  };
}

/** Nodes: every DaemonJob when a node joins, leaves, or changes labels, taints or schedulability. */
export function daemonJobNodeHandler(deps: DaemonJobHandlerDeps): EventHandler<Node> {
  const all = (): void => {
    for (const dj of deps.daemonJobs.list()) deps.enqueue(dj);
  };
  return {
    onAdd: all,
    onUpdate: (old, cur) => {
      if (labelsChanged(old, cur) || !jsonEqual(old.spec?.taints ?? [], cur.spec?.taints ?? []) || old.spec?.unschedulable !== cur.spec?.unschedulable) all();
    },
    onDelete: all,
  };
}
