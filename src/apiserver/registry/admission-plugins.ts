/**
 * Admission that needs other objects, run by the registry on every write whatever the client: the Priority
 * plugin (pods get spec.priority and spec.preemptionPolicy from their PriorityClass; one global default;
 * built-in classes are never deleted), the ServiceAccount plugin when enabled (service-account-admission.ts) and
 * Service IP and NodePort allocation.
 */
import { forbidden } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { systemPriorityClasses } from "../../api/validation/priority-class.js";
import { isPlainObject } from "../../util/json.js";
import { allocateServiceValues } from "./service-allocation.js";
import { admitPodServiceAccount } from "./service-account-admission.js";
import type { RegistryContext, ResourceStore } from "./context.js";

function isResource(store: ResourceStore, group: string, resource: string): boolean {
  return store.info.group === group && store.info.resource === resource;
}

function nameForMessages(object: KubeObject): string {
  return object.metadata?.name || object.metadata?.generateName || "";
}

function priorityClasses(ctx: RegistryContext): KubeObject[] {
  return ctx.store({ group: "scheduling.k8s.io", resource: "priorityclasses" }).cache.list().items.map((i) => i.object);
}

async function freshPriorityClasses(ctx: RegistryContext): Promise<KubeObject[]> {
  await ctx.fresh(ctx.store({ group: "scheduling.k8s.io", resource: "priorityclasses" }));
  return priorityClasses(ctx);
}

/** Resolves a new pod's priority from its priorityClassName (or the global default); 403 as upstream when it cannot. */
async function admitPodPriority(ctx: RegistryContext, store: ResourceStore, pod: KubeObject): Promise<void> {
  if (!isPlainObject(pod.spec)) return;
  const spec = pod.spec;
  const className = typeof spec.priorityClassName === "string" ? spec.priorityClassName : "";
  const classes = await freshPriorityClasses(ctx);
  let priority = 0;
  let policy = "PreemptLowerPriority";
  if (className === "") {
    const global = classes.find((c) => c.globalDefault === true);
    if (global) {
      spec.priorityClassName = global.metadata?.name ?? "";
      priority = typeof global.value === "number" ? global.value : 0;
      if (typeof global.preemptionPolicy === "string") policy = global.preemptionPolicy;
    }
  } else {
    const pc = classes.find((c) => c.metadata?.name === className);
    if (!pc) throw forbidden(store.ref, nameForMessages(pod), `no PriorityClass with name ${className} was found`);
    priority = typeof pc.value === "number" ? pc.value : 0;
    if (typeof pc.preemptionPolicy === "string") policy = pc.preemptionPolicy;
  }
  if (typeof spec.priority === "number" && spec.priority !== priority) {
    throw forbidden(store.ref, nameForMessages(pod), `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (typeof spec.preemptionPolicy === "string" && spec.preemptionPolicy !== policy) {
    throw forbidden(store.ref, nameForMessages(pod), `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
  }
  spec.preemptionPolicy = policy;
}

/** At most one PriorityClass is the global default. */
async function admitGlobalDefault(ctx: RegistryContext, store: ResourceStore, pc: KubeObject): Promise<void> {
  if (pc.globalDefault !== true) return;
  const name = pc.metadata?.name ?? "";
  const other = (await freshPriorityClasses(ctx)).find((c) => c.globalDefault === true && c.metadata?.name !== name);
  if (other) throw forbidden(store.ref, name, `PriorityClass ${other.metadata?.name ?? ""} is already marked as default. Only one default can exist`);
}

/** Mutating and validating admission of a create (after defaulting, before the strategy and validation). */
export async function admitCreate(ctx: RegistryContext, store: ResourceStore, object: KubeObject): Promise<void> {
  if (isResource(store, "", "pods") && ctx.serviceAccountAdmission) await admitPodServiceAccount(ctx, store, object, ctx.serviceAccountTokenVolumes);
  if (isResource(store, "", "pods")) await admitPodPriority(ctx, store, object);
  if (isResource(store, "scheduling.k8s.io", "priorityclasses")) await admitGlobalDefault(ctx, store, object);
  if (isResource(store, "", "services")) await allocateServiceValues(ctx, store, object, undefined);
}

/** Admission of an update of the main resource (before validation). */
export async function admitUpdate(ctx: RegistryContext, store: ResourceStore, object: KubeObject, old: KubeObject): Promise<void> {
  if (isResource(store, "scheduling.k8s.io", "priorityclasses")) await admitGlobalDefault(ctx, store, object);
  if (isResource(store, "", "services")) await allocateServiceValues(ctx, store, object, old);
}

/** Admission of a delete: the built-in PriorityClasses stay. */
export function admitDelete(store: ResourceStore, name: string): void {
  if (isResource(store, "scheduling.k8s.io", "priorityclasses") && systemPriorityClasses.some((c) => c.name === name)) {
    throw forbidden(store.ref, name, "this is a system priority class and cannot be deleted");
  }
}
