/** Creating and deleting daemon pods in bursts, with expectations and events. */
import type { ResourceInfo } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { DaemonSet, ObjectReference, Pod } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import type { ControllerExpectations } from "./expectations.js";
import { templateGeneration } from "./labels.js";
import { daemonPodTemplate, podFromTemplate } from "./pod-template.js";

/** Default cap of creations and of deletions per sync (raised on large clusters, see burstFor). */
export const defaultBurstReplicas = 250;

/** Full syncs a DaemonSet's initial creations take at most on a large cluster under the default burst. */
export const maxCreationSyncs = 20;

/**
 * The burst of a sync over `nodeCount` nodes: `configured` when set, else 250 or a twentieth of the nodes if more —
 * every sync walks all nodes and pods, so a fixed burst would make the creations of one DaemonSet cost nodes² / 250.
 */
export function burstFor(configured: number | undefined, nodeCount: number): number {
  if (configured !== undefined) return configured;
  return Math.max(defaultBurstReplicas, Math.ceil(nodeCount / maxCreationSyncs));
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
 * remaining creations are skipped and their expectations lowered. Deletions run in parallel; NotFound is fine.
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
      await Promise.all(nodesNeedingPods.slice(pos, pos + size).map(async (nodeName) => {
        try {
          const created = await deps.client.create<Pod>(deps.pods, namespace, podFromTemplate(ds, template, nodeName));
          deps.recorder.event(dsRef, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata?.name ?? ""}`);
        } catch (error) {
          deps.expectations.creationObserved(key);
          if (isNamespaceTerminating(error)) return;
          deps.recorder.event(dsRef, "Warning", "FailedCreate", `Error creating: ${messageOf(error)}`);
          errors.push(error);
        }
      }));
      pos += size;
      const skipped = createCount - pos;
      if (errors.length > before && skipped > 0) {
        deps.expectations.lower(key, skipped, 0);
        break;
      }
    }
  }

  await Promise.all(podsToDelete.slice(0, deleteCount).map(async (pod) => {
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
  }));

  if (errors.length > 0) throw new AggregateError(errors, errors.map(messageOf).join("; "));
}
