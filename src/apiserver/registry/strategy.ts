/** The per-kind hooks the generic registry calls around create, update, status update and delete. */
import type { ResourceInfo } from "../../api/resources.js";
import type { DeleteOptions, KubeObject } from "../../api/types.js";
import { daemonJobStrategy } from "./strategies/daemonjob.js";
import { daemonSetStrategy } from "./strategies/daemonset.js";
import { genericStrategy } from "./strategies/generic.js";
import { namespaceStrategy } from "./strategies/namespace.js";
import { nodeStrategy } from "./strategies/node.js";
import { podStrategy } from "./strategies/pod.js";

/** What a kind adds to the generic registry behaviour. */
export interface Strategy {
  /** Sets system-owned fields of a new object (status, generation, ...); generic metadata is already filled in. */
  prepareForCreate(object: KubeObject): void;
  /**
   * Adjusts an update of the main resource; generic metadata and (for kinds with a status subresource)
   * the status are already carried over from `old`. Bumps metadata.generation where the kind tracks it.
   */
  prepareForUpdate(object: KubeObject, old: KubeObject): void;
  /**
   * Graceful deletion: the grace period in seconds for deleting `object` now (0 = at once), or undefined
   * when the kind is not deleted gracefully. `requested` is DeleteOptions.gracePeriodSeconds.
   */
  gracePeriodSeconds?(object: KubeObject, requested: number | undefined): number;
  /** True when delete answers with the deleted object rather than a Success Status (pods). */
  returnsDeletedObject: boolean;
  /** True while the kind's own finalization (outside metadata.finalizers) is still pending, e.g. namespace spec.finalizers. */
  pendingSystemFinalization?(object: KubeObject): boolean;
  /** Watch cache indexes besides the namespace one: name → index value. */
  indexers: Record<string, (object: KubeObject) => string>;
}

/** The strategy for a served resource. */
export function strategyFor(resource: ResourceInfo): Strategy {
  switch (`${resource.group}/${resource.resource}`) {
    case "apps/daemonsets": return daemonSetStrategy;
    case "everynode.dev/daemonjobs": return daemonJobStrategy;
    case "/pods": return podStrategy;
    case "/namespaces": return namespaceStrategy;
    case "/nodes": return nodeStrategy;
    default: return genericStrategy;
  }
}

/** DeleteOptions.gracePeriodSeconds normalised as upstream does: negative values mean 1 second. */
export function requestedGrace(options: DeleteOptions): number | undefined {
  const g = options.gracePeriodSeconds;
  if (g === undefined || g === null) return undefined;
  return g < 0 ? 1 : g;
}
