/** The live reads and writes of the garbage collector: owner lookups, reference and finalizer removal, deletes. */
import { findResourceByKind, type ResourceInfo } from "../../api/resources.js";
import { conflict, isStatus } from "../../api/status-error.js";
import type { KubeObject, OwnerReference } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import type { GraphNode } from "./dependency-graph.js";
import { ownerReferencesOf, sameOwnerReferences } from "./owner-references.js";

/** Deletion propagation policies. */
export type PropagationPolicy = "Orphan" | "Foreground" | "Background";

/** What a live owner lookup found: the owner, proof of its absence, or a reference that cannot be resolved. */
export type OwnerLookup = { state: "present"; owner: KubeObject } | { state: "absent" } | { state: "unresolvable" };

const maxAttempts = 5;

/** Issues the garbage collector's API calls; every write carries a uid precondition. */
export class GcOperations {
  /** Operations through `client`. */
  constructor(private readonly client: Client) {}

  /** The live object if it still exists with `uid`; undefined when it is gone or was replaced. */
  async getLive(resource: ResourceInfo, namespace: string | undefined, name: string, uid: string): Promise<KubeObject | undefined> {
    try {
      const live = await this.client.get(resource, resource.namespaced ? namespace : undefined, name);
      return live.metadata?.uid === uid ? live : undefined;
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /**
   * Reads the owner `ref` of a dependent in `dependentNamespace` live. Namespaced owners are looked up in the
   * dependent's namespace; a different uid under the name counts as absent. Kinds that are not served, and
   * namespaced owners of cluster-scoped dependents, are unresolvable (such dependents are never collected).
   */
  async lookupOwner(ref: OwnerReference, dependentNamespace: string | undefined): Promise<OwnerLookup> {
    const resource = findResourceByKind(ref.apiVersion, ref.kind);
    if (!resource) return { state: "unresolvable" };
    if (resource.namespaced && !dependentNamespace) return { state: "unresolvable" };
    const owner = await this.getLive(resource, dependentNamespace, ref.name, ref.uid);
    return owner ? { state: "present", owner } : { state: "absent" };
  }

  /**
   * Rewrites a dependent's ownerReferences with `transform` applied to the live list (merge patch with
   * resourceVersion and uid preconditions, retried on conflicts). Does nothing when the object is gone or the
   * list would not change.
   */
  async updateOwnerReferences(node: GraphNode, transform: (refs: OwnerReference[]) => OwnerReference[]): Promise<void> {
    const { resource, uid } = node;
    const { namespace, name = "" } = node.object.metadata ?? {};
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const live = await this.getLive(resource, namespace, name, uid);
      if (!live) return;
      const refs = ownerReferencesOf(live);
      const next = transform(refs);
      if (sameOwnerReferences(refs, next)) return;
      const patch = { metadata: { uid, resourceVersion: live.metadata?.resourceVersion, ownerReferences: next.length > 0 ? next : null } };
      if (await this.tryPatch(resource, namespace, name, patch)) return;
    }
    throw conflict(resource, name);
  }

  /** Removes `finalizer` from the live object (merge patch with preconditions, retried on conflicts). */
  async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const { resource, uid } = node;
    const { namespace, name = "" } = node.object.metadata ?? {};
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const live = await this.getLive(resource, namespace, name, uid);
      if (!live) return;
      const finalizers = live.metadata?.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      const next = finalizers.filter((f) => f !== finalizer);
      const patch = { metadata: { uid, resourceVersion: live.metadata?.resourceVersion, finalizers: next.length > 0 ? next : null } };
      if (await this.tryPatch(resource, namespace, name, patch)) return;
    }
    throw conflict(resource, name);
  }

  /** Deletes the object with `policy` and a uid precondition; an object already gone or replaced is fine. */
  async deleteObject(node: GraphNode, policy: PropagationPolicy): Promise<void> {
    const { namespace, name = "" } = node.object.metadata ?? {};
    try {
      await this.client.delete(node.resource, node.resource.namespaced ? namespace : undefined, name, { propagationPolicy: policy, preconditions: { uid: node.uid } });
    } catch (error) {
      if (isStatus(error, 404) || isStatus(error, 409)) return;
      throw error;
    }
  }

  /** Applies a merge patch; false on a conflict (try again), true when applied or the object is gone. */
  private async tryPatch(resource: ResourceInfo, namespace: string | undefined, name: string, patch: unknown): Promise<boolean> {
    try {
      await this.client.patch(resource, resource.namespaced ? namespace : undefined, name, "merge", patch);
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return true;
      if (isStatus(error, 409)) return false;
      throw error;
    }
  }
}
