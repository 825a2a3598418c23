/**
 * Owner-based enqueueing (controller-runtime's EnqueueRequestForOwner): an object's changes wake the cached
 * controller that owns it, found through its controller reference.
 */
import type { ApiObject, OwnerReference } from "../api/types.js";
import type { Store } from "../client/cache.js";
import type { EventHandler } from "../client/informer.js";
import { controllerRefChanged, controllerRefOf, resourceVersionChanged } from "./predicates.js";

/** Finds the cached owner of `kind` an object's controller reference points to. */
export class OwnerResolver<O extends ApiObject> {
  /** Resolves references of `kind` against `owners`, a cache keyed namespace/name. */
  constructor(private readonly owners: Store<O>, private readonly kind: string) {}

  /** The cached owner `ref` names in `obj`'s namespace, when its kind and uid match; else undefined. */
  resolve(obj: ApiObject, ref: OwnerReference): O | undefined {
    if (ref.kind !== this.kind) return undefined;
    const owner = this.owners.get(`${obj.metadata?.namespace ?? ""}/${ref.name}`);
    return owner && owner.metadata?.uid === ref.uid ? owner : undefined;
  }

  /** The cached owner of `obj` through its controller reference, if any. */
  controllerOf(obj: ApiObject): O | undefined {
    const ref = controllerRefOf(obj);
    return ref ? this.resolve(obj, ref) : undefined;
  }
}

/** Options of enqueueRequestForOwner. */
export interface EnqueueForOwnerOptions<O extends ApiObject> {
  owners: OwnerResolver<O>;
  /** Queues the owner. */
  enqueue: (owner: O) => void;
}

/**
 * An event handler that enqueues the controller owner of every added, changed or deleted object; an update that
 * moved the controller reference also enqueues the former owner; updates without a new resourceVersion are ignored.
 */
export function enqueueRequestForOwner<T extends ApiObject, O extends ApiObject>(options: EnqueueForOwnerOptions<O>): EventHandler<T> {
  const { owners, enqueue } = options;
  const enqueueOwnerOf = (obj: ApiObject): void => {
    const owner = owners.controllerOf(obj);
    if (owner) enqueue(owner);
  };
  return {
    onAdd: enqueueOwnerOf,
    onUpdate: (old, cur) => {
      if (!resourceVersionChanged(old, cur)) return;
      if (controllerRefChanged(old, cur)) enqueueOwnerOf(old);
      enqueueOwnerOf(cur);
    },
    onDelete: enqueueOwnerOf,
  };
}
