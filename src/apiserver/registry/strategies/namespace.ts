/** Namespace strategy: phase Active on create and the `kubernetes` finalizer the registry itself honours. */
import type { KubeObject } from "../../../api/types.js";
import { isPlainObject } from "../../../util/json.js";
import { metaOf } from "../codec.js";
import type { Strategy } from "../strategy.js";

/** The spec finalizer that keeps a terminating namespace until its content is gone. */
export const kubernetesFinalizer = "kubernetes";
/** Label every namespace carries with its own name. */
export const namespaceNameLabel = "kubernetes.io/metadata.name";

function spec(object: KubeObject): Record<string, unknown> {
  if (!isPlainObject(object.spec)) object.spec = {};
  return object.spec as Record<string, unknown>;
}

function specFinalizers(object: KubeObject): string[] {
  const f = isPlainObject(object.spec) ? object.spec.finalizers : undefined;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === "string") : [];
}

function labelName(object: KubeObject): void {
  const meta = metaOf(object);
  if (meta.name) meta.labels = { ...(meta.labels ?? {}), [namespaceNameLabel]: meta.name };
}

/** Namespaces: status {phase: Active}; spec.finalizers always include `kubernetes` on create and are kept on update. */
export const namespaceStrategy: Strategy = {
  prepareForCreate(object) {
    object.status = { phase: "Active" };
    const finalizers = specFinalizers(object);
    if (!finalizers.includes(kubernetesFinalizer)) finalizers.push(kubernetesFinalizer);
    spec(object).finalizers = finalizers;
    labelName(object);
  },
  prepareForUpdate(object, old) {
    const oldFinalizers = specFinalizers(old);
    if (oldFinalizers.length > 0) spec(object).finalizers = oldFinalizers;
    else if (isPlainObject(object.spec)) delete object.spec.finalizers;
    labelName(object);
  },
  returnsDeletedObject: false,
  pendingSystemFinalization: (object) => specFinalizers(object).length > 0,
  indexers: {},
};

/** The namespace's spec.finalizers. */
export function namespaceFinalizers(object: KubeObject): string[] {
  return specFinalizers(object);
}
