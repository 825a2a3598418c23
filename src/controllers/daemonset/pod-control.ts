/** Creating and deleting daemon pods in bursts, with expectations and events. */
import type { ResourceInfo } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { DaemonSet, ObjectReference, Pod } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import type { ControllerExpectations } from "./expectations.js";
import { templateGeneration } from "./labels.js";
import { daemonPodTemplate, podFromTemplate } from "./pod-template.js";

/** Least cap of creations and of deletions per sync (upstream's burstReplicas; raised with the node count, see burstFor). */
export const defaultBurstReplicas = 250;

/** API calls one syncNodes keeps in flight at most (a slow-start batch larger than this streams through). */
export const maxCallsInFlight = 1000;

/**
 * The burst of a sync over `nodeCount` nodes: `configured` when set, else 250 or the node count if more. Every sync
 * walks all nodes and pods and every burst waits for its slow-start batches in turn, so a burst below the node count
 * only multiplies both: one sync creates a new DaemonSet's pods on every node (slow start still begins with one pod
 * and doubles, and stops at the first failure), and one rolling-update step deletes all that maxUnavailable allows.
 */
export function burstFor(configured: number | undefined, nodeCount: number): number {
  if (configured !== undefined) return configured;
  return Math.max(defaultBurstReplicas, nodeCount);
}

/** Runs `work` on every item with at most `limit` running at once; resolves when all have settled (work must not throw). */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
}

/** What syncNodes needs. */
export interface PodControlDeps {
  client: Client;
  pods: ResourceInfo;
  recorder: EventRecorder;
  expectations: ControllerExpectations;
  burstReplicas: number;
}

/** The size of each slow-start batch for `total` creations: 1, 2, 4, … with the last one trimmed. */
export function slowStartBatches(total: number): number[] {
  const out: number[] = [];
  let size = Math.min(total, 1);
  for (let pos = 0; pos < total; ) {
    out.push(size);
    pos += size;
    size = Math.min(2 * size, total - pos);
  }
  return out;
}

function isNamespaceTerminating(error: unknown): boolean {
  return error instanceof StatusError && (error.status.details?.causes ?? []).some((c) => c.reason === "NamespaceTerminating");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates daemon pods on `nodesNeedingPods` and deletes `podsToDelete`, at most `burstReplicas` of each, after
 * setting the key's expectations. Creations go in slow-start batches (1, 2, 4, …); after a batch with a failure the
 * remaining creations are skipped and their expectations lowered. Deletions run in parallel; NotFound is fine. At
 * most maxCallsInFlight calls run at once.
 * Emits SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete; throws an AggregateError on failures.
 */
export async function syncNodes(
  deps: PodControlDeps,
  ds: DaemonSet,
  dsRef: ObjectReference,
  key: string,
  podsToDelete: readonly Pod[],
  nodesNeedingPods: readonly string[],
  hash: string,
): Promise<void> {
  const createCount = Math.min(nodesNeedingPods.length, deps.burstReplicas);
  const deleteCount = Math.min(podsToDelete.length, deps.burstReplicas);
  if (createCount === 0 && deleteCount === 0) return;
  deps.expectations.set(key, createCount, deleteCount);
  const errors: unknown[] = [];
  const namespace = ds.metadata?.namespace;

  if (createCount > 0) {
    const template = daemonPodTemplate(ds, hash, templateGeneration(ds));
    let pos = 0;
    for (const size of slowStartBatches(createCount)) {
      const before = errors.length;
      await forEachLimited(nodesNeedingPods.slice(pos, pos + size), maxCallsInFlight, async (nodeName) => {
        try {
          const created = await deps.client.create<Pod>(deps.pods, namespace, podFromTemplate(ds, template, nodeName));
          deps.recorder.event(dsRef, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata?.name ?? ""}`);
        } catch (error) {
          deps.expectations.creationObserved(key);
          if (isNamespaceTerminating(error)) return;
          deps.recorder.event(dsRef, "Warning", "FailedCreate", `Error creating: ${messageOf(error)}`);
          errors.push(error);
        }
      });
      pos += size;
      const skipped = createCount - pos;
      if (errors.length > before && skipped > 0) {
        deps.expectations.lower(key, skipped, 0);
        break;
      }
    }
  }

  await forEachLimited(podsToDelete.slice(0, deleteCount), maxCallsInFlight, async (pod) => {
    const name = pod.metadata?.name ?? "";
    try {
      await deps.client.delete(deps.pods, pod.metadata?.namespace ?? namespace, name);
      deps.recorder.event(dsRef, "Normal", "SuccessfulDelete", `Deleted pod: ${name}`);
    } catch (error) {
      deps.expectations.deletionObserved(key);
      if (error instanceof StatusError && error.code === 404) return;
      deps.recorder.event(dsRef, "Warning", "FailedDelete", `Error deleting: ${messageOf(error)}`);
      errors.push(error);
    }
  });

  if (errors.length > 0) throw new AggregateError(errors, errors.map(messageOf).join("; "));
}
